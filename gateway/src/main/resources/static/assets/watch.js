// The watch page: the player, the danmaku overlay fed by history and the live socket, and the send box.

import { danmakuHistory, errorMessage, getVideo, liveUrl, onlineCount, randomKey, sendDanmaku, streamUrl } from './api.js';
import { DanmakuEngine } from './danmaku.js';
import { LiveConnection } from './live.js';
import { getUser, initSessionHeader } from './session.js';
import { $, formatDuration, setStatus, whileBusy } from './ui.js';

const HISTORY_PAGE = 5000;
const MAX_TEXT = 100; // code points, as the server counts them

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
    return null;
  }
  $('#video-title').textContent = video.title || 'Untitled';
  document.title = `${video.title || 'Untitled'} · Barrage`;
  $('#video-description').textContent = video.description || '';
  $('#video-duration').textContent = video.durationMs ? formatDuration(video.durationMs) : '';
  if (video.status && video.status !== 'READY') {
    setStatus($('#player-status'), `This video is ${String(video.status).toLowerCase()}; it may not play yet.`, 'info');
  }
  return video;
}

player.addEventListener('error', () => {
  setStatus($('#player-status'), 'This video cannot be played in your browser, or its file is missing.', 'error');
});

// ---- danmaku -------------------------------------------------------------------------------------

const engine = new DanmakuEngine(player, layer, {
  isOwn: (item) => {
    const user = getUser();
    return !!user && item.senderId != null && String(item.senderId) === String(user.id);
  },
});
engine.onChange = () => showCount($('#danmaku-count'), engine.count, 'danmaku');

/** Reads the whole history in windows of HISTORY_PAGE; the timeline de-duplicates overlaps. */
async function loadHistory(meta) {
  const toMs = meta?.durationMs > 0 ? meta.durationMs : 24 * 3600 * 1000;
  let fromMs = 0;
  try {
    for (let page = 0; page < 20; page++) {
      const result = await danmakuHistory(videoId, { fromMs, toMs, limit: HISTORY_PAGE });
      const items = Array.isArray(result?.items) ? result.items : [];
      const added = engine.load(items);
      if (items.length < HISTORY_PAGE || added === 0) break;
      fromMs = Number(items[items.length - 1].playbackMs) || fromMs;
    }
  } catch (error) {
    setStatus($('#danmaku-status'), `Could not load earlier danmaku. ${errorMessage(error)}`, 'error');
  }
}

// ---- live ----------------------------------------------------------------------------------------

const STATE_TEXT = {
  connecting: 'Connecting…',
  open: 'Live',
  reconnecting: 'Reconnecting…',
  closed: 'Offline',
};

const live = new LiveConnection({
  // On a reconnect, ask the server for what we missed after the newest seq we hold.
  url: (reconnect) => liveUrl(videoId, reconnect ? engine.maxSeq : null),
  onFrame(frame) {
    if (frame.type === 'danmaku' && Array.isArray(frame.items)) {
      for (const item of frame.items) engine.addLive(item);
    } else if (frame.type === 'online' && Number.isFinite(Number(frame.count))) {
      showCount($('#online-count'), Number(frame.count), 'watching');
    } else if (frame.type === 'gap') {
      // The server skipped us ahead; fetch what we missed into the timeline.
      loadHistory(video);
    }
  },
  onState(state, detail) {
    const node = $('#connection-state');
    node.dataset.state = state;
    node.textContent = STATE_TEXT[state] ?? state;
    node.title = state === 'reconnecting' && detail.delayMs ? `Next attempt in ${Math.ceil(detail.delayMs / 1000)} s` : '';
  },
  onReconnected() {
    // Anything sent while we were away is in the history; the timeline drops what we already have.
    loadHistory(video);
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
    const color = Number.parseInt($('#danmaku-color').value.slice(1), 16);
    let playbackMs = Math.round(player.currentTime * 1000);
    if (video?.durationMs > 0) playbackMs = Math.min(playbackMs, video.durationMs);
    const signature = JSON.stringify([text, mode, color]);
    if (attempt?.signature !== signature) attempt = { signature, key: randomKey() };

    setStatus(status, '');
    try {
      const created = await whileBusy(form, () =>
        sendDanmaku(videoId, { text, playbackMs, mode, color: Number.isFinite(color) ? color : 0xffffff }, attempt.key),
      );
      attempt = null;
      engine.addLive(created, { own: true });
      input.value = '';
    } catch (error) {
      setStatus(status, errorMessage(error, { unauthenticated: 'Please log in to send danmaku.' }), 'error');
    } finally {
      input.focus();
    }
  });
  input.addEventListener('input', () => setStatus(status, ''));
}

// ---- player tools --------------------------------------------------------------------------------

function toggleDanmaku() {
  const button = $('#danmaku-toggle');
  const on = button.getAttribute('aria-pressed') !== 'true';
  button.setAttribute('aria-pressed', String(on));
  button.textContent = on ? 'Danmaku on' : 'Danmaku off';
  engine.setVisible(on);
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

async function start() {
  initSessionHeader();
  initTools();
  if (!videoId || !/^\d{1,19}$/.test(videoId)) {
    $('#video-title').textContent = 'Video not found';
    setStatus($('#player-status'), 'This link does not point to a video. Pick one on the home page.', 'error');
    $('#danmaku-form').hidden = true;
    live.onState('closed', {});
    return;
  }
  initSendBox();
  player.src = streamUrl(videoId);
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
  if (meta) await loadHistory(meta);
}

start();
