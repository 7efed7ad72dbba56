// Playback decisions without the DOM: which engine plays a URL, the storyboard's cues, the quality menu
// and the processing text. The watch page (player.js, watch.js) and "My videos" use them; Node tests them.

/**
 * hls.js, pinned, from the gateway's own WebJar (org.webjars.npm:hls.js in gateway/pom.xml): no CDN.
 * A new version is a new path, so the gateway lets browsers cache it for a year.
 */
export const HLS_JS_URL = '/webjars/hls.js/1.4.12/dist/hls.min.js';

/** How often a page asks again while a video is being processed. */
export const POLL_MS = 2000;

export function isHlsUrl(url) {
  return typeof url === 'string' && /\.m3u8(?:[?#]|$)/i.test(url);
}

/**
 * What plays a stream URL: 'plain' (a progressive file, e.g. a legacy /stream URL), 'hls.js' (an HLS
 * playlist where Media Source Extensions exist: Chrome, Firefox, Edge, desktop Safari), 'native' (an HLS
 * playlist without MSE but with the browser's own HLS: Safari on iPhone), or 'unsupported'.
 */
export function playbackEngine(url, { mediaSource = false, nativeHls = false } = {}) {
  if (!url) return 'unsupported';
  if (!isHlsUrl(url)) return 'plain';
  if (mediaSource) return 'hls.js';
  if (nativeHls) return 'native';
  return 'unsupported';
}

/** The URL the player loads: the video's streamUrl, or the original stream of an older server. */
export function playbackUrl(video, fallback) {
  return typeof video?.streamUrl === 'string' && video.streamUrl ? video.streamUrl : fallback;
}

// ---- storyboard ----------------------------------------------------------------------------------

/** "HH:MM:SS.mmm" or "MM:SS.mmm" → seconds; NaN when it is neither. */
export function parseVttTime(text) {
  const match = /^(?:(\d+):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?$/.exec(String(text).trim());
  if (!match) return Number.NaN;
  const [, h = '0', m, s, ms = '0'] = match;
  return Number(h) * 3600 + Number(m) * 60 + Number(s) + Number(ms.padEnd(3, '0')) / 1000;
}

/**
 * The cues of a WebVTT thumbnails track: each "start --> end" followed by an image URL with a
 * `#xywh=x,y,w,h` fragment into a sprite. URLs are resolved against the track's own URL. Cues that do not
 * parse are skipped; the result is sorted by start.
 */
export function parseStoryboardVtt(text, baseUrl) {
  const cues = [];
  const lines = String(text ?? '').replace(/\r\n?/g, '\n').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const timing = /^\s*(\S+)\s+-->\s+(\S+)/.exec(lines[i]);
    if (!timing) continue;
    const start = parseVttTime(timing[1]);
    const end = parseVttTime(timing[2]);
    const payload = (lines[i + 1] ?? '').trim();
    if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start || !payload) continue;
    const hash = payload.indexOf('#');
    const file = hash < 0 ? payload : payload.slice(0, hash);
    const xywh = /(?:^|&)xywh=(?:pixel:)?(\d+),(\d+),(\d+),(\d+)/.exec(hash < 0 ? '' : payload.slice(hash + 1));
    let url;
    try {
      url = new URL(file, baseUrl).href;
    } catch {
      continue;
    }
    const [x, y, w, h] = xywh ? xywh.slice(1).map(Number) : [0, 0, 0, 0];
    cues.push({ start, end, url, x, y, w, h });
    i++;
  }
  return cues.sort((a, b) => a.start - b.start);
}

/** The cue showing at `seconds`, or the nearest one before it (a gap between cues), or null. */
export function cueAt(cues, seconds) {
  if (!cues?.length || !Number.isFinite(seconds)) return null;
  let lo = 0;
  let hi = cues.length - 1;
  if (seconds < cues[0].start) return cues[0];
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (cues[mid].start <= seconds) lo = mid;
    else hi = mid - 1;
  }
  return cues[lo];
}

/** Where the preview tile's left edge goes: centred on the pointer, kept inside the bar. */
export function previewLeft(pointerX, barWidth, tileWidth) {
  const left = pointerX - tileWidth / 2;
  return Math.round(Math.max(0, Math.min(left, Math.max(0, barWidth - tileWidth))));
}

/** The fraction of the bar at a pointer position, clamped to 0..1. */
export function fractionAt(pointerX, barWidth) {
  if (!(barWidth > 0)) return 0;
  return Math.max(0, Math.min(1, pointerX / barWidth));
}

// ---- quality menu --------------------------------------------------------------------------------

/** A rung's name: its height ("720p"), or its bitrate for an audio-only rendition. */
export function levelLabel(level) {
  const height = Number(level?.height);
  if (height > 0) return `${height}p`;
  const kbps = Math.round(Number(level?.bitrate ?? 0) / 1000);
  return kbps > 0 ? `Audio ${kbps} kbps` : 'Audio';
}

/**
 * The quality menu: "Auto" (value -1; its label names the rung Auto is playing now) and one entry per
 * hls.js level, highest first; the value is the level's index. Two rungs of one height are told apart
 * by their bitrate. `manual` is the level the viewer chose, or -1 for Auto; `playing` the level on screen.
 */
export function qualityMenu(levels, { manual = -1, playing = -1 } = {}) {
  const list = Array.isArray(levels) ? levels : [];
  const counts = new Map();
  for (const level of list) counts.set(levelLabel(level), (counts.get(levelLabel(level)) ?? 0) + 1);
  const rungs = list
    .map((level, index) => {
      let label = levelLabel(level);
      if (counts.get(label) > 1 && level?.bitrate) label += ` ${Math.round(level.bitrate / 1000)} kbps`;
      return { value: index, label, height: Number(level?.height) || 0, bitrate: Number(level?.bitrate) || 0 };
    })
    .sort((a, b) => b.height - a.height || b.bitrate - a.bitrate)
    .map(({ value, label }) => ({ value, label, selected: manual === value, active: playing === value }));
  const now = list[playing];
  const auto = {
    value: -1,
    label: manual === -1 && now ? `Auto (${levelLabel(now)})` : 'Auto',
    selected: manual === -1 || !rungs.some((r) => r.selected),
    active: false,
  };
  return [auto, ...rungs];
}

/** How many variants (rungs) a master playlist lists. */
export function variantCount(masterPlaylist) {
  return String(masterPlaylist ?? '')
    .split(/\r?\n/)
    .filter((line) => line.startsWith('#EXT-X-STREAM-INF:')).length;
}

// ---- processing ----------------------------------------------------------------------------------

/** What the page does with a video: 'play', 'wait' (uploading or processing: ask again), 'failed'. */
export function playbackState(video) {
  const status = String(video?.status ?? 'READY').toUpperCase();
  if (status === 'READY') return 'play';
  if (status === 'FAILED') return 'failed';
  if (status === 'UPLOADING' || status === 'PROCESSING') return 'wait';
  return 'failed';
}

function clampPercent(value) {
  const n = Math.round(Number(value));
  return Number.isFinite(n) ? Math.max(0, Math.min(100, n)) : 0;
}

const RUNG_STATE = { QUEUED: 'waiting', RUNNING: null, DONE: 'ready', FAILED: 'failed' };

/** One rung's line: "240p ready", "720p 42 %", "1080p waiting", "480p failed". */
export function rungText(rung) {
  const name = rung?.name || (rung?.height ? `${rung.height}p` : 'audio');
  const state = String(rung?.state ?? '').toUpperCase();
  const word = RUNG_STATE[state];
  return word ? `${name} ${word}` : `${name} ${clampPercent(rung?.percent)} %`;
}

/**
 * The processing line shown on the watch page and in "My videos": "Processing 42 %" while nothing
 * plays yet, "Still converting: 63 %" once the video plays while its ladder is being made,
 * "Uploading…", or null when there is nothing to say.
 */
export function processingText(video) {
  const status = String(video?.status ?? '').toUpperCase();
  const processing = video?.processing;
  if (status === 'UPLOADING') return 'Uploading…';
  if (status === 'PROCESSING') return `Processing ${clampPercent(processing?.percent)} %`;
  if (status === 'READY' && processing) return `Still converting: ${clampPercent(processing.percent)} %`;
  return null;
}

/** The per-rung lines, in ladder order (lowest first, as they are made). */
export function rungLines(video) {
  const rungs = Array.isArray(video?.processing?.rungs) ? video.processing.rungs : [];
  return [...rungs].sort((a, b) => (Number(a?.height) || 0) - (Number(b?.height) || 0)).map(rungText);
}

/** What the owner reads when processing failed. */
export function failureText(video) {
  return video?.failureMessage || 'This video could not be processed.';
}

/**
 * How many rungs the video JSON says are published (DONE, or GROWING: listed while being made) while
 * the ladder is being made; null when it does not say (nothing left to make: processing is null).
 */
export function publishedRungs(video) {
  const rungs = video?.processing?.rungs;
  if (!Array.isArray(rungs)) return null;
  return rungs.filter((r) => ['DONE', 'GROWING'].includes(String(r?.state ?? '').toUpperCase())).length;
}

/**
 * Whether a playing page should read the master playlist again, from the published rungs of the previous
 * and the latest video JSON: a rung was published since, or the ladder finished (the last rungs joined).
 */
export function ladderGrew(before, after) {
  if (before === null || before === undefined) return false;
  return after === null || after === undefined || after > before;
}

/** True while the page should keep asking for the video's state. */
export function keepPolling(video) {
  return playbackState(video) === 'wait' || (playbackState(video) === 'play' && !!video?.processing);
}
