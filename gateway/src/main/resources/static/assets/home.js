// The home page: account forms, the upload form and the paged grid of videos.

import {
  currentUser, errorMessage, fieldOf, getVideo, hotVideos, isMissing, listVideos, login, register, thumbnailUrl,
  uploadVideo, userProfile, withRetryHint,
} from './api.js';
import { failureText, processingText } from './playback.js';
import { initSessionHeader, onUserChange, returnPath, setUser } from './session.js';
import { TusUpload, supportsTus, xhrTransport } from './tus.js';
import { $, el, formatDate, formatDuration, setStatus, whileBusy } from './ui.js';

const PAGE_SIZE = 20;
const USERNAME = /^[A-Za-z0-9_]{3,32}$/;

// ---- account -------------------------------------------------------------------------------------

async function completeLogin(username, password) {
  await login(username, password);
  // The cookie is the session; make sure the browser actually kept it before saying we are in.
  const me = await currentUser();
  if (!me) throw new Error('cookie-rejected');
  setUser(me);
  const next = returnPath();
  if (next) location.assign(next);
}

function cookieAware(error) {
  if (error?.message === 'cookie-rejected') {
    return 'You were logged in, but the browser did not keep the session cookie. Check that cookies are allowed.';
  }
  return null;
}

/**
 * Shows an API error next to the field it is about (username, password), or in the form's general
 * status line when it is about no field in particular.
 */
function showFormError(prefix, error, general) {
  clearFieldErrors(prefix);
  const message = withRetryHint(errorMessage(error), error?.retryAfter);
  const field = fieldOf(error);
  const slot = field && $(`#${prefix}-${field}-error`);
  if (slot) {
    setFieldError(prefix, field, message);
    $(`#${prefix}-${field}`)?.focus();
  } else {
    setStatus(general, cookieAware(error) ?? message, 'error');
  }
}

function setFieldError(prefix, field, message) {
  const slot = $(`#${prefix}-${field}-error`);
  const input = $(`#${prefix}-${field}`);
  if (!slot) return;
  slot.textContent = message;
  slot.hidden = !message;
  if (input) {
    if (message) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }
}

function clearFieldErrors(prefix) {
  for (const field of ['username', 'password']) setFieldError(prefix, field, '');
}

function initAuthForms() {
  const loginForm = $('#login-form');
  const loginError = $('#login-error');
  loginForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const username = $('#login-username').value.trim();
    const password = $('#login-password').value;
    clearFieldErrors('login');
    setStatus(loginError, '');
    if (!username || !password) {
      const field = username ? 'password' : 'username';
      setFieldError('login', field, username ? 'Enter your password.' : 'Enter your username.');
      $(`#login-${field}`).focus();
      return;
    }
    try {
      await whileBusy(loginForm, () => completeLogin(username, password));
      loginForm.reset();
    } catch (error) {
      showFormError('login', error, loginError);
      $('#login-password').select();
    }
  });

  const registerForm = $('#register-form');
  const registerError = $('#register-error');
  registerForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const username = $('#register-username').value.trim();
    const displayName = $('#register-display-name').value.trim();
    const password = $('#register-password').value;
    // Same rules as the server, checked here only to answer sooner; the server stays the judge.
    clearFieldErrors('register');
    setStatus(registerError, '');
    if (!USERNAME.test(username)) {
      setFieldError('register', 'username', 'Usernames are 3 to 32 letters, digits or underscores.');
      $('#register-username').focus();
      return;
    }
    if (password.length < 8 || password.length > 128) {
      setFieldError('register', 'password', 'Passwords need 8 to 128 characters.');
      $('#register-password').focus();
      return;
    }
    try {
      await whileBusy(registerForm, async () => {
        await register(username, password, displayName || undefined);
        await completeLogin(username, password);
      });
      registerForm.reset();
    } catch (error) {
      showFormError('register', error, registerError);
    }
  });

  $('#login-link').addEventListener('click', () => {
    requestAnimationFrame(() => $('#login-username').focus());
  });
}

// ---- upload --------------------------------------------------------------------------------------

// Resumable (tus) when the server offers it, else one multipart request. Both report real progress.
let tusAvailable = null;

async function chooseUploader() {
  if (tusAvailable === null) tusAvailable = await supportsTus(xhrTransport);
  return tusAvailable;
}

function startUpload({ file, title, description }, onProgress, onState) {
  let aborter = () => {};
  const promise = chooseUploader().then(async (tus) => {
    if (!tus) {
      const upload = uploadVideo({ file, title, description }, onProgress);
      aborter = upload.abort;
      return upload.promise;
    }
    const upload = new TusUpload({
      file,
      metadata: { filename: file.name, filetype: file.type, title, description },
      transport: xhrTransport,
      storage: globalThis.localStorage ?? null,
      onProgress,
      onState,
    });
    aborter = () => upload.abort();
    const { videoId } = await upload.start();
    if (!videoId) throw new Error('no-video-id');
    // The video row is where the rest of the page reads status from.
    for (let attempt = 0; ; attempt++) {
      try {
        return await getVideo(videoId);
      } catch (error) {
        if (attempt >= 5) return { id: videoId, title, status: 'PROCESSING' };
        await new Promise((resolve) => setTimeout(resolve, 500 * (attempt + 1)));
      }
    }
  });
  return { promise, abort: () => aborter() };
}

function uploadErrorMessage(error) {
  if (error?.name === 'TusError') {
    if (error.code === 'aborted') return 'Upload cancelled.';
    if (error.code === 'network' || error.code === 'server') {
      return 'The connection kept dropping, so the upload paused. Choose the same file again to resume where it stopped.';
    }
    if (error.code === 'upload-not-found') return 'That upload expired. Please start it again.';
    if (error.status === 401) return 'Please log in to upload videos.';
    if (error.status === 413) return 'That file is too large to upload.';
    if (error.status === 415) return 'That file is not a supported video. Upload an MP4, MOV, WebM or MKV file.';
    return 'The server refused the upload. Please try another file.';
  }
  if (error?.message === 'no-video-id') return 'The upload finished, but the server did not say which video it became. Check your videos in a moment.';
  return errorMessage(error, { unauthenticated: 'Please log in to upload videos.' });
}

function initUpload() {
  const form = $('#upload-form');
  const fileInput = $('#upload-file');
  const titleInput = $('#upload-title');
  const submit = $('#upload-submit');
  const cancel = $('#upload-cancel');
  const progressWrap = $('#upload-progress-wrap');
  const progress = $('#upload-progress');
  const progressLabel = $('#upload-progress-label');
  const status = $('#upload-status');
  const dropZone = $('#drop-zone');
  let current = null;
  let dropped = null; // a file dropped on the zone (file inputs cannot always be set from script)

  const pickTitle = (file) => {
    if (file && !titleInput.value.trim()) {
      titleInput.value = file.name.replace(/\.[^.]+$/, '').replace(/[_-]+/g, ' ').slice(0, 100);
    }
  };
  // A title is required; the file name is a sensible default the uploader can edit.
  fileInput.addEventListener('change', () => {
    dropped = null;
    pickTitle(fileInput.files?.[0]);
  });

  for (const type of ['dragenter', 'dragover']) {
    dropZone.addEventListener(type, (event) => {
      event.preventDefault();
      dropZone.dataset.over = '';
    });
  }
  for (const type of ['dragleave', 'drop']) {
    dropZone.addEventListener(type, () => delete dropZone.dataset.over);
  }
  dropZone.addEventListener('drop', (event) => {
    event.preventDefault();
    const file = event.dataTransfer?.files?.[0];
    if (!file) return;
    try {
      fileInput.files = event.dataTransfer.files;
      dropped = null;
    } catch {
      dropped = file;
    }
    pickTitle(file);
    setStatus(status, `Ready to upload “${file.name}”.`, 'info');
  });

  cancel.addEventListener('click', () => current?.abort());

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (current) return;
    const file = dropped ?? fileInput.files?.[0];
    const title = titleInput.value.trim();
    const description = $('#upload-description').value.trim();
    if (!file) {
      setStatus(status, 'Choose a video file to upload.', 'error');
      fileInput.focus();
      return;
    }
    if (!title || title.length > 100) {
      setStatus(status, 'Titles need 1 to 100 characters.', 'error');
      titleInput.focus();
      return;
    }

    setStatus(status, '');
    progress.value = 0;
    progress.removeAttribute('data-done');
    progressLabel.textContent = '0%';
    progressWrap.hidden = false;
    submit.disabled = true;
    cancel.hidden = false;
    const onProgress = (loaded, total) => {
      const percent = total > 0 ? Math.floor((loaded / total) * 100) : 100;
      progress.value = percent;
      progress.dataset.percent = String(percent);
      progressLabel.textContent = percent >= 100 ? 'Processing…' : `${percent}%`;
    };
    const onState = (state, detail) => {
      if (state === 'retrying') {
        setStatus(status, `Connection lost. Resuming in ${Math.ceil(detail.delayMs / 1000)} s…`, 'info');
      } else if (state === 'uploading') {
        setStatus(status, '');
      }
    };
    current = startUpload({ file, title, description }, onProgress, onState);
    try {
      const video = await current.promise;
      progress.value = 100;
      progress.dataset.percent = '100';
      progress.dataset.done = 'true';
      progressLabel.textContent = 'Uploaded';
      form.reset();
      dropped = null;
      showUploaded(status, video);
      watchUntilReady(video);
    } catch (error) {
      progressWrap.hidden = true;
      setStatus(status, uploadErrorMessage(error), 'error');
    } finally {
      current = null;
      submit.disabled = false;
      cancel.hidden = true;
    }
  });
}

const STATUS_TEXT = {
  UPLOADING: 'Still uploading…',
  PROCESSING: 'Processing… it will be ready to watch in a moment.',
  READY: 'Ready to watch.',
  FAILED: 'Processing failed. Try another file.',
};

/** The status sentence, with the percentage while processing and the owner's reason when it failed. */
function statusText(video) {
  if (video?.status === 'PROCESSING' && video.processing) return `${processingText(video)}: it will be ready to watch in a moment.`;
  if (video?.status === 'FAILED' && video.failureMessage) return `Processing failed: ${failureText(video)}`;
  return STATUS_TEXT[video?.status] ?? STATUS_TEXT.PROCESSING;
}

function showUploaded(status, video) {
  status.replaceChildren(
    'Uploaded “',
    el('strong', { text: video?.title ?? 'your video' }),
    '”. ',
    el('span', {
      id: 'upload-video-status',
      'data-testid': 'upload-video-status',
      dataset: { status: String(video?.status ?? 'PROCESSING') },
      text: statusText(video),
    }),
    ' ',
    video?.id != null ? el('a', { href: `watch.html?id=${encodeURIComponent(video.id)}`, id: 'upload-watch-link', text: 'Watch it' }) : '',
  );
  status.dataset.kind = video?.status === 'FAILED' ? 'error' : 'ok';
  status.hidden = false;
}

// Processing runs after the upload; poll until READY (or FAILED) and say so, then refresh the grid.
async function watchUntilReady(video) {
  if (video?.id == null) return;
  let latest = video;
  for (let attempt = 0; attempt < 150 && latest.status !== 'READY' && latest.status !== 'FAILED'; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(4000, 1000 + attempt * 200)));
    try {
      latest = await getVideo(video.id);
    } catch {
      // a blip: keep polling
    }
    const node = $('#upload-video-status');
    if (!node) return; // another upload replaced the message
    node.dataset.status = String(latest.status);
    node.textContent = statusText(latest);
  }
  if (latest.status === 'FAILED') $('#upload-status').dataset.kind = 'error';
  if (latest.status === 'READY') await showPage(0);
}

// ---- video grid ----------------------------------------------------------------------------------

let currentPage = 0;
let query = { q: '', sort: 'new' };

export function formatViews(views) {
  const n = Number(views);
  if (!Number.isFinite(n) || n < 0) return '';
  if (n < 1000) return `${n} view${n === 1 ? '' : 's'}`;
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0).replace(/\.0$/, '')}K views`;
  return `${(n / 1_000_000).toFixed(1).replace(/\.0$/, '')}M views`;
}

function thumbnail(video) {
  const img = el('img', { src: thumbnailUrl(video.id), alt: '', loading: 'lazy', decoding: 'async' });
  // No thumbnail (yet, or no such endpoint): the coloured placeholder underneath shows instead.
  img.addEventListener('error', () => img.remove(), { once: true });
  return el(
    'div',
    { class: 'thumb', 'aria-hidden': 'true', style: { '--hue': hue(video.id) } },
    el('span', { class: 'play-icon', text: '▶' }),
    img,
    el('span', { class: 'duration', text: formatDuration(video.durationMs) }),
  );
}

function videoCard(video) {
  const href = `watch.html?id=${encodeURIComponent(video.id)}`;
  const uploader = el('span', { class: 'meta-uploader', dataset: { ownerId: String(video.ownerId ?? '') } });
  if (video.ownerId != null) {
    userProfile(video.ownerId).then((user) => {
      if (user) uploader.textContent = `${user.displayName || user.username} · `;
    });
  }
  const views = formatViews(video.views);
  return el(
    'li',
    { class: 'video-card', dataset: { videoId: String(video.id) }, 'data-testid': 'video-card' },
    el('a', { href, class: 'video-link' }, thumbnail(video), el('span', { class: 'video-title', text: video.title || 'Untitled' })),
    el(
      'p',
      { class: 'video-meta' },
      uploader,
      el('span', { class: 'sr-only', text: 'Duration ' }),
      el('span', { class: 'meta-duration', text: formatDuration(video.durationMs) }),
      views ? el('span', { class: 'meta-views', text: ` · ${views}` }) : '',
      video.createdAt ? el('span', { text: ` · ${formatDate(video.createdAt)}` }) : '',
    ),
  );
}

// A stable colour per video so the placeholder thumbnails are told apart at a glance.
function hue(id) {
  let h = 0;
  for (const c of String(id)) h = (h * 31 + c.charCodeAt(0)) % 360;
  return h;
}

async function showPage(page) {
  const grid = $('#video-grid');
  const status = $('#videos-status');
  grid.setAttribute('aria-busy', 'true');
  try {
    const result = await listVideos(page, PAGE_SIZE, query);
    const items = Array.isArray(result?.items) ? result.items : [];
    const total = Number(result?.total ?? items.length);
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    if (page > 0 && page >= pages) return showPage(pages - 1);
    currentPage = page;
    grid.replaceChildren(...items.map(videoCard));
    const empty = query.q ? `No videos match “${query.q}”.` : 'No videos yet. Upload the first one!';
    setStatus(status, items.length ? '' : empty, 'info');
    $('#videos-total').textContent = total ? `${total} video${total === 1 ? '' : 's'}` : '';
    $('#pager').hidden = pages <= 1;
    $('#page-info').textContent = `Page ${page + 1} of ${pages}`;
    $('#page-prev').disabled = page <= 0;
    $('#page-next').disabled = page + 1 >= pages;
    const url = new URL(location.href);
    for (const [key, value] of [['page', page > 0 ? String(page) : ''], ['q', query.q], ['sort', query.sort === 'new' ? '' : query.sort]]) {
      if (value) url.searchParams.set(key, value);
      else url.searchParams.delete(key);
    }
    history.replaceState(null, '', url);
  } catch (error) {
    setStatus(status, `Could not load videos. ${errorMessage(error)}`, 'error');
  } finally {
    grid.setAttribute('aria-busy', 'false');
  }
}

async function showHot() {
  try {
    const result = await hotVideos(10);
    const items = Array.isArray(result?.items) ? result.items : [];
    $('#hot-shelf').replaceChildren(...items.map(videoCard));
    $('#hot').hidden = items.length === 0;
  } catch (error) {
    $('#hot').hidden = true; // no ranking (yet): the shelf simply is not there
    if (!isMissing(error)) console.warn('hot videos unavailable', error);
  }
}

function initGrid() {
  $('#page-prev').addEventListener('click', () => showPage(Math.max(0, currentPage - 1)));
  $('#page-next').addEventListener('click', () => showPage(currentPage + 1));
  const params = new URLSearchParams(location.search);
  query = { q: (params.get('q') ?? '').slice(0, 100), sort: ['views', 'title'].includes(params.get('sort')) ? params.get('sort') : 'new' };
  $('#search-input').value = query.q;
  $('#sort-select').value = query.sort;
  $('#search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    query = { q: $('#search-input').value.trim(), sort: $('#sort-select').value };
    showPage(0);
  });
  $('#sort-select').addEventListener('change', () => {
    query = { ...query, sort: $('#sort-select').value };
    showPage(0);
  });
  showHot();
  const requested = Number.parseInt(params.get('page') ?? '0', 10);
  return showPage(Number.isFinite(requested) && requested > 0 ? requested : 0);
}

// ---- wiring --------------------------------------------------------------------------------------

onUserChange((user) => {
  $('#auth').hidden = !!user;
  $('#upload-form').hidden = !user;
  $('#upload-login-hint').hidden = !!user;
});

initAuthForms();
initUpload();
initSessionHeader();
initGrid();
