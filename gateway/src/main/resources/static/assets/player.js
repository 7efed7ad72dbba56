// The video element's source: an HLS ladder through hls.js (or Safari's own HLS), or a plain file.
// The quality menu and the seek preview live here too; what they show is decided in playback.js.

import {
  HLS_JS_URL, cueAt, fractionAt, parseStoryboardVtt, playbackEngine, previewLeft, qualityMenu, variantCount,
} from './playback.js';
import { el, formatDuration } from './ui.js';

let hlsScript = null;

/** hls.js, loaded once and only when a page needs it (a classic script: it sets window.Hls). */
function loadHlsJs() {
  if (window.Hls) return Promise.resolve(window.Hls);
  hlsScript ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = HLS_JS_URL;
    script.async = true;
    script.onload = () => (window.Hls ? resolve(window.Hls) : reject(new Error('hls.js did not load')));
    script.onerror = () => {
      hlsScript = null;
      reject(new Error('hls.js could not be loaded'));
    };
    document.head.append(script);
  });
  return hlsScript;
}

function browserSupport(video) {
  // hls.js 1.4 needs MediaSource; iPhones only have ManagedMediaSource (hls.js 1.5+) and play HLS natively.
  const mediaSource = !!(window.MediaSource || window.WebKitMediaSource);
  const nativeHls = video.canPlayType('application/vnd.apple.mpegurl') !== '';
  return { mediaSource, nativeHls };
}

/**
 * Plays `url` in `video`. Returns a controller: `engine` ('hls.js' | 'native' | 'plain' | 'unsupported'),
 * `levels()`, `manualLevel()`, `playingLevel()`, `setLevel(index | -1)`, `refreshLadder()`, `destroy()`,
 * and `onLevels` (called whenever the menu should be redrawn).
 */
export async function attachSource(video, url, { onFatal = () => {} } = {}) {
  const engine = playbackEngine(url, browserSupport(video));
  let Hls = null;
  const controller = {
    engine,
    hls: null,
    onLevels: () => {},
    levels: () => controller.hls?.levels ?? [],
    manualLevel: () => (controller.hls && !controller.hls.autoLevelEnabled ? controller.hls.manualLevel ?? controller.hls.currentLevel : -1),
    playingLevel: () => controller.hls?.currentLevel ?? -1,
    setLevel(index) {
      if (!controller.hls) return;
      // currentLevel switches now (dropping the buffer), so the viewer sees the choice at once;
      // -1 gives the choice back to the bandwidth estimate.
      controller.hls.currentLevel = index;
      controller.onLevels();
    },
    /**
     * Reads the master playlist again and, when it lists more rungs than the player knows (rungs published
     * while the viewer watches), loads it again where the viewer is, playing if it was, keeping a chosen
     * quality. Neither hls.js nor Safari reads a VOD master twice. Resolves to true when it reloaded.
     */
    async refreshLadder() {
      if (engine !== 'hls.js' && engine !== 'native') return false;
      let text;
      try {
        const response = await fetch(new URL(url, location.href).href, { credentials: 'same-origin', cache: 'no-store' });
        if (!response.ok) return false;
        text = await response.text();
      } catch {
        return false;
      }
      const listed = variantCount(text);
      if (engine === 'native' && controller.nativeRungs === 0) {
        controller.nativeRungs = listed; // the first count had not arrived: this one is the baseline
        return false;
      }
      const known = engine === 'hls.js' ? controller.levels().length : controller.nativeRungs;
      if (listed <= known) return false;
      const position = video.currentTime;
      const playing = !video.paused;
      if (engine === 'native') {
        controller.nativeRungs = listed;
        video.addEventListener('loadedmetadata', () => {
          video.currentTime = position;
          if (playing) video.play().catch(() => {});
        }, { once: true });
        video.src = url;
        return true;
      }
      const manual = controller.levels()[controller.manualLevel()];
      controller.hls?.destroy();
      start({ position, playing, height: manual ? manual.height : null });
      return true;
    },
    nativeRungs: 0,
    destroy() {
      controller.hls?.destroy();
      controller.hls = null;
    },
  };
  if (engine === 'plain' || engine === 'native') {
    video.src = url;
    if (engine === 'native') {
      // what the master listed when Safari read it, for refreshLadder
      fetch(new URL(url, location.href).href, { credentials: 'same-origin' })
        .then((r) => (r.ok ? r.text() : ''))
        .then((text) => { controller.nativeRungs = Math.max(controller.nativeRungs, variantCount(text)); })
        .catch(() => {});
    }
    return controller;
  }
  if (engine === 'unsupported') {
    onFatal('This browser cannot play adaptive video (HLS).');
    return controller;
  }
  try {
    Hls = await loadHlsJs();
  } catch (error) {
    onFatal('The video player could not be loaded. Reload the page to try again.');
    return controller;
  }

  /** A player for the master playlist; again from `position` (seconds) when the ladder grew. */
  function start({ position = -1, playing = false, height = null } = {}) {
    const hls = new Hls({ capLevelToPlayerSize: false, startLevel: -1, startPosition: position });
    controller.hls = hls;
    let mediaRetries = 0;
    hls.on(Hls.Events.MANIFEST_PARSED, () => {
      if (height !== null) {
        const index = hls.levels.findIndex((level) => level.height === height);
        if (index >= 0) hls.currentLevel = index;
      }
      if (playing) video.play().catch(() => {});
      controller.onLevels();
    });
    hls.on(Hls.Events.LEVEL_SWITCHED, () => controller.onLevels());
    hls.on(Hls.Events.ERROR, (_event, data) => {
      if (!data?.fatal) return;
      if (data.type === Hls.ErrorTypes.MEDIA_ERROR && mediaRetries++ < 2) {
        hls.recoverMediaError();
        return;
      }
      if (data.type === Hls.ErrorTypes.NETWORK_ERROR && mediaRetries++ < 3) {
        hls.startLoad();
        return;
      }
      onFatal('This video cannot be played right now. Reload the page to try again.');
    });
    hls.loadSource(url);
    hls.attachMedia(video);
  }

  start();
  return controller;
}

// ---- quality menu --------------------------------------------------------------------------------

/** Keeps the <select> in step with the controller; hidden while there is nothing to choose. */
export function bindQualityMenu(select, controller) {
  const render = () => {
    const levels = controller.levels();
    const options = qualityMenu(levels, { manual: controller.manualLevel(), playing: controller.playingLevel() });
    select.hidden = levels.length < 2;
    select.replaceChildren(
      ...options.map((o) =>
        el('option', { value: String(o.value), text: o.label, selected: o.selected, dataset: o.active ? { active: '' } : {} }),
      ),
    );
    const playing = levels[controller.playingLevel()];
    select.dataset.playing = playing ? String(playing.height || 0) : '';
  };
  controller.onLevels = render;
  select.onchange = () => controller.setLevel(Number(select.value));
  render();
  return render;
}

// ---- seek preview --------------------------------------------------------------------------------

/**
 * A seek bar under the video: shows the played part, seeks on click or drag, and, when the video has a
 * storyboard, shows the frame of the moment under the pointer above the bar.
 */
export function bindSeekBar(bar, video) {
  const fill = bar.querySelector('.seek-fill');
  const preview = bar.querySelector('.seek-preview');
  const tile = bar.querySelector('.seek-tile');
  const time = bar.querySelector('.seek-time');
  let cues = [];
  let dragging = false;

  const duration = () => (Number.isFinite(video.duration) && video.duration > 0 ? video.duration : 0);
  const draw = () => {
    const total = duration();
    const fraction = total ? video.currentTime / total : 0;
    fill.style.width = `${(fraction * 100).toFixed(2)}%`;
    bar.setAttribute('aria-valuemax', String(Math.round(total)));
    bar.setAttribute('aria-valuenow', String(Math.round(video.currentTime)));
    bar.setAttribute('aria-valuetext', `${formatDuration(video.currentTime * 1000)} of ${formatDuration(total * 1000)}`);
  };
  const secondsAt = (event) => {
    const box = bar.getBoundingClientRect();
    return { seconds: fractionAt(event.clientX - box.left, box.width) * duration(), x: event.clientX - box.left, width: box.width };
  };
  const show = (event) => {
    const total = duration();
    if (!total) return;
    const { seconds, x, width } = secondsAt(event);
    const cue = cueAt(cues, seconds);
    time.textContent = formatDuration(seconds * 1000);
    if (cue) {
      tile.hidden = false;
      tile.style.width = `${cue.w}px`;
      tile.style.height = `${cue.h}px`;
      tile.style.backgroundImage = `url("${cue.url}")`;
      tile.style.backgroundPosition = `-${cue.x}px -${cue.y}px`;
      tile.dataset.src = `${cue.url}#xywh=${cue.x},${cue.y},${cue.w},${cue.h}`;
    } else {
      tile.hidden = true;
    }
    preview.hidden = false;
    preview.style.left = `${previewLeft(x, width, cue ? cue.w : 60)}px`;
    if (dragging) video.currentTime = seconds;
  };
  const hide = () => {
    if (!dragging) preview.hidden = true;
  };

  bar.addEventListener('pointermove', show);
  bar.addEventListener('pointerenter', show);
  bar.addEventListener('pointerleave', hide);
  bar.addEventListener('pointerdown', (event) => {
    if (!duration()) return;
    dragging = true;
    bar.setPointerCapture?.(event.pointerId);
    show(event);
  });
  const stop = (event) => {
    if (!dragging) return;
    dragging = false;
    bar.releasePointerCapture?.(event.pointerId);
    if (event.type === 'pointercancel') preview.hidden = true;
  };
  bar.addEventListener('pointerup', stop);
  bar.addEventListener('pointercancel', stop);
  bar.addEventListener('keydown', (event) => {
    const step = { ArrowLeft: -5, ArrowRight: 5, PageDown: -30, PageUp: 30 }[event.key];
    if (step === undefined || !duration()) return;
    event.preventDefault();
    event.stopPropagation();
    video.currentTime = Math.max(0, Math.min(duration(), video.currentTime + step));
  });
  for (const type of ['timeupdate', 'durationchange', 'seeked', 'loadedmetadata']) video.addEventListener(type, draw);
  draw();

  return {
    /** Loads the storyboard track; the bar works without it (the preview then shows only the time). */
    async loadStoryboard(url) {
      if (!url) return;
      try {
        const absolute = new URL(url, location.href).href;
        const response = await fetch(absolute, { credentials: 'same-origin' });
        if (!response.ok) return;
        cues = parseStoryboardVtt(await response.text(), response.url || absolute);
        bar.dataset.storyboard = String(cues.length);
      } catch {
        // no preview frames; seeking still works
      }
    },
  };
}
