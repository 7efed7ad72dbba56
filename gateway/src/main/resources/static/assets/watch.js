// The watch page: the player, the danmaku overlay fed by history and the live socket, and the send box.

import {
  SEGMENT_MS, countView, danmakuSegment, deleteDanmaku, errorMessage, getVideo, liveUrl, onlineCount, randomKey,
  sendDanmaku, streamUrl, withRetryHint,
} from './api.js';
import { initDanmakuActions } from './danmaku-actions.js';
import { DanmakuEngine, cssColor } from './danmaku.js';
import { initDensity } from './density.js';
import { LiveConnection } from './live.js';
import {
  POLL_MS, failureText, keepPolling, ladderGrew, playbackState, playbackUrl, processingText, publishedRungs, rungLines,
} from './playback.js';
import { attachSource, bindQualityMenu, bindSeekBar } from './player.js';
import { getUser, initSessionHeader, onUserChange } from './session.js';
import { initViewerSettings } from './danmaku-settings-panel.js';
import { loadSettings, saveSettings } from './settings.js';
import { $, el, formatDuration, setStatus, whileBusy } from './ui.js';

const MAX_TEXT = 100; // code points, as the server counts them
const LIST_LIMIT = 200; // rows in the list panel

const videoId = new URLSearchParams(location.search).get('id');
const player = $('#player');
const layer = $('#danmaku-layer');
let video = null; // metadata once loaded

function showCount(node, count, noun) {
  node.textContent = `${count} ${noun}`;
  node.dataset.count = String(count);
}

// ---- video ---------------------------------------------------------------------------------------

async function loadVideo() {
  try {
    video = await getVideo(videoId);
  } catch (error) {
    $('#video-title').textContent = 'Video unavailable';
    setStatus($('#player-status'), errorMessage(error), 'error');
    if (error?.status === 404) player.removeAttribute('src');
    // not a 404 (a network hiccup): the original stream may still play
    else attach(streamUrl(videoId));
    return null;
  }
  $('#video-title').textContent = video.title || 'Untitled';
  document.title = `${video.title || 'Untitled'} · Barrage`;
  $('#video-description').textContent = video.description || '';
  $('#video-duration').textContent = video.durationMs ? formatDuration(video.durationMs) : '';
  follow(video);
  return video;
}

// ---- playback ------------------------------------------------------------------------------------

let source = null; // the attached stream (player.js controller) once the video is playable
let attachedUrl = null;
let pollTimer = null;
let published = null; // rungs the video JSON said were published when the page last looked
const seekBar = bindSeekBar($('#seek-bar'), player);

async function attach(url, { play = false } = {}) {
  if (attachedUrl === url) return;
  attachedUrl = url;
  // A play() asked for before the source existed is undone by loading it, so it is asked for again.
  const wanted = play || !player.paused;
  source?.destroy();
  source = await attachSource(player, url, {
    onFatal: (message) => setStatus($('#player-status'), message, 'error'),
  });
  bindQualityMenu($('#quality-select'), source);
  if (wanted) player.play().catch(() => {});
}

/** Shows the video's state and plays it once it can; asks again every POLL_MS while it is being made. */
function follow(next) {
  video = next;
  const state = playbackState(video);
  const overlay = $('#processing');
  const more = $('#processing-more');
  const text = processingText(video);
  const lines = rungLines(video);
  if (state === 'wait') {
    overlay.hidden = false;
    $('#processing-text').textContent = text;
    $('#processing-rungs').replaceChildren(...lines.map((line) => el('li', { text: line })));
    overlay.dataset.percent = String(Math.round(Number(video.processing?.percent ?? 0)));
    more.hidden = true;
  } else {
    overlay.hidden = true;
    more.hidden = !text;
    more.textContent = text ? [text, ...lines].join(' · ') : '';
  }
  if (state === 'failed') {
    setStatus($('#player-status'), failureText(video), 'error');
    player.removeAttribute('src');
  } else if (state === 'play') {
    const wasWaiting = attachedUrl === null && pollTimer !== null;
    attach(playbackUrl(video, streamUrl(videoId)), { play: wasWaiting });
    // rungs published while the viewer watches join the quality menu without a reload of the page
    const now = publishedRungs(video);
    if (ladderGrew(published, now)) source?.refreshLadder?.();
    published = now;
    if (video.storyboardUrl && !$('#seek-bar').dataset.storyboard) seekBar.loadStoryboard(video.storyboardUrl);
  }
  clearTimeout(pollTimer);
  pollTimer = null;
  if (keepPolling(video)) {
    pollTimer = setTimeout(async () => {
      try {
        follow(await getVideo(videoId));
      } catch {
        follow(video); // try again later
      }
    }, POLL_MS);
  }
}

player.addEventListener('error', () => {
  if (source?.engine === 'hls.js') return; // hls.js recovers what it can and reports the rest
  setStatus($('#player-status'), 'This video cannot be played in your browser, or its file is missing.', 'error');
});

// ---- danmaku -------------------------------------------------------------------------------------

const engine = new DanmakuEngine(player, layer, {
  isOwn: (item) => {
    const user = getUser();
    return !!user && item.senderId != null && String(item.senderId) === String(user.id);
  },
});
engine.onChange = () => {
  showCount($('#danmaku-count'), engine.count, 'danmaku');
  renderList();
};

// History arrives one 6-minute segment at a time, as playback enters it (and the next one shortly
// before it is reached), so a long video does not load every comment up front.
const segments = new Map(); // segment → 'loading' | 'loaded'

function segmentOf(ms) {
  return Math.max(0, Math.floor(ms / SEGMENT_MS));
}

async function loadSegment(segment, { force = false } = {}) {
  if (video?.durationMs > 0 && segment * SEGMENT_MS > video.durationMs) return;
  const state = segments.get(segment);
  if (state === 'loading' || (state === 'loaded' && !force)) return;
  segments.set(segment, 'loading');
  try {
    const result = await danmakuSegment(videoId, segment);
    engine.load(Array.isArray(result?.items) ? result.items : []);
    segments.set(segment, 'loaded');
  } catch (error) {
    segments.delete(segment);
    setStatus($('#danmaku-status'), `Could not load earlier danmaku. ${errorMessage(error)}`, 'error');
  }
}

function loadAroundPlayback({ force = false } = {}) {
  const ms = player.currentTime * 1000;
  const segment = segmentOf(ms);
  loadSegment(segment, { force });
  if (ms - segment * SEGMENT_MS > SEGMENT_MS - 30_000) loadSegment(segment + 1);
}

player.addEventListener('timeupdate', () => loadAroundPlayback());
player.addEventListener('seeking', () => loadAroundPlayback());

// ---- live ----------------------------------------------------------------------------------------

const STATE_TEXT = {
  connecting: 'Connecting…',
  open: 'Live',
  reconnecting: 'Reconnecting…',
  closed: 'Offline',
};

let liveState = 'connecting';
const live = new LiveConnection({
  // On a reconnect, ask the server for what we missed after the newest seq we hold.
  url: (reconnect) => liveUrl(videoId, reconnect ? engine.maxSeq : null),
  onFrame(frame) {
    if (frame.type === 'danmaku' && Array.isArray(frame.items)) {
      for (const item of frame.items) engine.addLive(item);
    } else if (frame.type === 'online' && Number.isFinite(Number(frame.count))) {
      showCount($('#online-count'), Number(frame.count), 'watching');
    } else if (frame.type === 'deleted' && Array.isArray(frame.ids)) {
      engine.remove(frame.ids);
    } else if (frame.type === 'gap') {
      // The server could not replay everything we missed; history has it, the timeline de-duplicates.
      setStatus($('#list-status'), 'Some live danmaku were skipped while you were away; loading them from history.', 'info');
      loadAroundPlayback({ force: true });
    }
  },
  onState(state, detail) {
    liveState = state;
    const node = $('#connection-state');
    node.dataset.state = state;
    node.textContent = STATE_TEXT[state] ?? state;
    node.title = state === 'reconnecting' && detail.delayMs ? `Next attempt in ${Math.ceil(detail.delayMs / 1000)} s` : '';
  },
  onReconnected() {
    // since= replays what we missed; history covers anything older than the server's replay window.
    loadAroundPlayback({ force: true });
  },
});

window.addEventListener('online', () => live.retryNow());
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') live.retryNow();
});
window.addEventListener('pagehide', () => live.close());
window.addEventListener('pageshow', (event) => {
  if (event.persisted) live.start();
});

// ---- sending -------------------------------------------------------------------------------------

function initSendBox() {
  const form = $('#danmaku-form');
  const input = $('#danmaku-input');
  const status = $('#danmaku-status');
  // A retry of the same comment reuses its Idempotency-Key, so a lost answer never makes a duplicate.
  let attempt = null;

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) {
      setStatus(status, 'Type a comment first.', 'error');
      input.focus();
      return;
    }
    if ([...text].length > MAX_TEXT) {
      setStatus(status, `A danmaku can be at most ${MAX_TEXT} characters long.`, 'error');
      input.focus();
      return;
    }
    if (getUser() === null) {
      setStatus(status, 'Please log in to send danmaku.', 'error');
      return;
    }
    const mode = $('#danmaku-mode').value;
    const size = $('#danmaku-size').value;
    const color = Number.parseInt($('#danmaku-color').value.slice(1), 16);
    let playbackMs = Math.round(player.currentTime * 1000);
    if (video?.durationMs > 0) playbackMs = Math.min(playbackMs, video.durationMs);
    const signature = JSON.stringify([text, mode, color, size]);
    if (attempt?.signature !== signature) attempt = { signature, key: randomKey() };

    setStatus(status, '');
    try {
      const created = await whileBusy(form, () =>
        sendDanmaku(
          videoId,
          { text, playbackMs, mode, size, color: Number.isFinite(color) ? color : 0xffffff },
          attempt.key,
        ),
      );
      attempt = null;
      engine.addLive(created, { own: true });
      input.value = '';
    } catch (error) {
      const message = errorMessage(error, { unauthenticated: 'Please log in to send danmaku.' });
      setStatus(status, withRetryHint(message, error?.retryAfter), 'error');
    } finally {
      input.focus();
    }
  });
  input.addEventListener('input', () => setStatus(status, ''));
}

// ---- player tools --------------------------------------------------------------------------------

function toggleDanmaku() {
  applySettings({ ...settings, visible: !settings.visible });
}

// ---- settings ------------------------------------------------------------------------------------

// The on/off switch stays this browser's (settings.js); everything else is the viewer's danmaku
// settings, which follow the account (danmaku-settings-panel.js).
let settings = loadSettings();
let viewer = null;

function applySettings(next, { persist = true } = {}) {
  settings = persist ? saveSettings(next) : next;
  engine.setVisible(settings.visible);
  const button = $('#danmaku-toggle');
  button.setAttribute('aria-pressed', String(settings.visible));
  button.textContent = settings.visible ? 'Danmaku on' : 'Danmaku off';
  $('#setting-visible').checked = settings.visible;
  renderList();
}

function initSettings() {
  $('#setting-visible').addEventListener('change', (e) => applySettings({ ...settings, visible: e.target.checked }));
  $('#settings-form').addEventListener('submit', (e) => e.preventDefault());
  viewer = initViewerSettings({ engine, layer, onUserChange, onApply: () => renderList() });
  // Another tab changed them: follow.
  window.addEventListener('storage', () => applySettings(loadSettings(), { persist: false }));
  applySettings(settings, { persist: false });
}

// ---- list panel ----------------------------------------------------------------------------------

let listQueued = false;

/** The newest comments (by playback time, up to LIST_LIMIT), redrawn at most once per frame. */
function renderList() {
  if (listQueued) return;
  listQueued = true;
  requestAnimationFrame(() => {
    listQueued = false;
    const user = getUser();
    const accepts = viewer ? viewer.filter() : () => true;
    const items = engine.timeline.items.filter((item) => accepts(item)).slice(-LIST_LIMIT);
    const rows = items.map((item) => {
      const own = item.own || (!!user && item.senderId != null && String(item.senderId) === String(user.id));
      return el(
        'li',
        { class: 'danmaku-row', dataset: { id: item.id } },
        el('button', {
          type: 'button',
          class: 'link time',
          text: formatDuration(item.playbackMs),
          'aria-label': `Jump to ${formatDuration(item.playbackMs)}`,
          onclick: () => {
            player.currentTime = item.playbackMs / 1000;
          },
        }),
        el('span', { class: 'swatch', 'aria-hidden': 'true', style: { background: cssColor(item.color) } }),
        el('span', { class: 'text', text: item.text }),
        own
          ? el('button', {
              type: 'button',
              class: 'button ghost small',
              text: 'Delete',
              'aria-label': `Delete your danmaku “${item.text}”`,
              onclick: (event) => removeOwn(item, event.currentTarget),
            })
          : '',
      );
    });
    $('#danmaku-list').replaceChildren(...rows);
  });
}

async function removeOwn(item, button) {
  button.disabled = true;
  try {
    await deleteDanmaku(item.id);
    engine.remove([item.id]);
    setStatus($('#list-status'), 'Your danmaku was deleted.', 'ok');
  } catch (error) {
    if (error?.status === 404 && error.code === 'danmaku-not-found') engine.remove([item.id]);
    // 409 danmaku-not-stored-yet: sent moments ago and still on its way to the database; the button stays.
    setStatus($('#list-status'), withRetryHint(errorMessage(error), error?.retryAfter), 'error');
    button.disabled = false;
  }
}

// The overlay lives next to the <video>, so fullscreen must take the frame, not the bare video.
function toggleFullscreen() {
  const frame = $('#player-frame');
  if (document.fullscreenElement) document.exitFullscreen?.();
  else frame.requestFullscreen?.().catch(() => {});
}

function initTools() {
  $('#danmaku-toggle').addEventListener('click', toggleDanmaku);
  const fullscreen = $('#fullscreen-toggle');
  if (!document.fullscreenEnabled) fullscreen.hidden = true;
  fullscreen.addEventListener('click', toggleFullscreen);
  document.addEventListener('fullscreenchange', () => {
    fullscreen.textContent = document.fullscreenElement ? 'Exit fullscreen' : 'Fullscreen';
  });

  document.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    const typing = target.closest?.('input, textarea, select, button, a, [contenteditable]');
    if (typing) return;
    const onVideo = target === player; // the native controls already handle space and arrows
    switch (event.key) {
      case ' ':
      case 'k':
        if (onVideo && event.key === ' ') return;
        event.preventDefault();
        if (player.paused) player.play().catch(() => {});
        else player.pause();
        break;
      case 'ArrowLeft':
      case 'ArrowRight':
        if (onVideo) return;
        event.preventDefault();
        player.currentTime = Math.max(0, player.currentTime + (event.key === 'ArrowLeft' ? -5 : 5));
        break;
      case 'd':
        toggleDanmaku();
        break;
      case 'f':
        toggleFullscreen();
        break;
      default:
    }
  });
}

// ---- start ---------------------------------------------------------------------------------------

// For tests and for people poking at the page: what the overlay shows and the live state.
window.__barrage = {
  renderer: { active: () => engine.onScreen(), count: () => engine.count, maxSeq: () => engine.maxSeq },
  live: { state: () => liveState, drop: () => live.socket?.close(4000, 'test') },
  settings: () => ({ ...settings }),
  viewerSettings: () => viewer?.settings() ?? null,
  player: {
    engine: () => source?.engine ?? null,
    levels: () => source?.levels().map((l) => ({ height: l.height, bitrate: l.bitrate })) ?? [],
    playingLevel: () => source?.playingLevel() ?? -1,
    manualLevel: () => source?.manualLevel() ?? -1,
  },
};

// One view per playback start: the first play, and each play after the end.
let viewCounted = false;
player.addEventListener('play', () => {
  if (!viewCounted && videoId) {
    viewCounted = true;
    countView(videoId);
  }
});
player.addEventListener('ended', () => {
  viewCounted = false;
});

async function start() {
  initSessionHeader();
  onUserChange(() => renderList());
  initTools();
  initSettings();
  if (!videoId || !/^\d{1,19}$/.test(videoId)) {
    $('#video-title').textContent = 'Video not found';
    setStatus($('#player-status'), 'This link does not point to a video. Pick one on the home page.', 'error');
    $('#danmaku-form').hidden = true;
    live.onState('closed', {});
    return;
  }
  initSendBox();
  // Connect first, then read history, so nothing sent in between is missed (ids de-duplicate).
  live.start();
  onlineCount(videoId)
    .then((result) => {
      if ($('#online-count').dataset.count === '0' && Number.isFinite(Number(result?.count))) {
        showCount($('#online-count'), Number(result.count), 'watching');
      }
    })
    .catch(() => {});
  const meta = await loadVideo();
  if (meta) {
    loadAroundPlayback();
    // likes, reports, recall, uploader tools; the density curve and hot moments on the seek bar
    initDanmakuActions({
      videoId, video: meta, engine, list: $('#danmaku-list'), status: $('#list-status'),
      form: $('#danmaku-form'), getUser, onUserChange,
    });
    initDensity({ videoId, player, bar: $('#seek-bar'), durationMs: meta.durationMs, container: $('#seek-bar') });
  }
}

start();
