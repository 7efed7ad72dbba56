// The home page: account forms, the upload form and the paged grid of videos.

import { currentUser, errorMessage, getVideo, listVideos, login, register, uploadVideo } from './api.js';
import { initSessionHeader, onUserChange, returnPath, setUser } from './session.js';
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

function initAuthForms() {
  const loginForm = $('#login-form');
  const loginError = $('#login-error');
  loginForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const username = $('#login-username').value.trim();
    const password = $('#login-password').value;
    if (!username || !password) {
      setStatus(loginError, 'Enter your username and password.', 'error');
      (username ? $('#login-password') : $('#login-username')).focus();
      return;
    }
    setStatus(loginError, '');
    try {
      await whileBusy(loginForm, () => completeLogin(username, password));
      loginForm.reset();
    } catch (error) {
      setStatus(loginError, cookieAware(error) ?? errorMessage(error), 'error');
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
    if (!USERNAME.test(username)) {
      setStatus(registerError, 'Usernames are 3 to 32 letters, digits or underscores.', 'error');
      $('#register-username').focus();
      return;
    }
    if (password.length < 8 || password.length > 128) {
      setStatus(registerError, 'Passwords need 8 to 128 characters.', 'error');
      $('#register-password').focus();
      return;
    }
    setStatus(registerError, '');
    try {
      await whileBusy(registerForm, async () => {
        await register(username, password, displayName || undefined);
        await completeLogin(username, password);
      });
      registerForm.reset();
    } catch (error) {
      setStatus(registerError, cookieAware(error) ?? errorMessage(error), 'error');
    }
  });

  $('#login-link').addEventListener('click', () => {
    requestAnimationFrame(() => $('#login-username').focus());
  });
}

// ---- upload --------------------------------------------------------------------------------------

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
  let current = null;

  // A title is required; the file name is a sensible default the uploader can edit.
  fileInput.addEventListener('change', () => {
    const file = fileInput.files?.[0];
    if (file && !titleInput.value.trim()) {
      titleInput.value = file.name.replace(/\.[^.]+$/, '').replace(/[_-]+/g, ' ').slice(0, 100);
    }
  });

  cancel.addEventListener('click', () => current?.abort());

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (current) return;
    const file = fileInput.files?.[0];
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
    current = uploadVideo({ file, title, description }, (loaded, total) => {
      const percent = Math.floor((loaded / total) * 100);
      progress.value = percent;
      progressLabel.textContent = percent >= 100 ? 'Processing…' : `${percent}%`;
    });
    try {
      const video = await current.promise;
      progress.value = 100;
      progress.dataset.done = 'true';
      progressLabel.textContent = 'Done';
      form.reset();
      showUploaded(status, video);
      watchUntilReady(video);
    } catch (error) {
      progressWrap.hidden = true;
      setStatus(status, errorMessage(error, { unauthenticated: 'Please log in to upload videos.' }), 'error');
    } finally {
      current = null;
      submit.disabled = false;
      cancel.hidden = true;
    }
  });
}

function showUploaded(status, video) {
  status.replaceChildren(
    'Uploaded “',
    el('strong', { text: video?.title ?? 'your video' }),
    '”. ',
    video?.status === 'READY' ? '' : 'It appears in the list once processing finishes. ',
    video?.id != null ? el('a', { href: `watch.html?id=${encodeURIComponent(video.id)}`, text: 'Watch it' }) : '',
  );
  status.dataset.kind = 'ok';
  status.hidden = false;
}

// Uploads may need processing before they are READY and listed; poll briefly, then refresh.
async function watchUntilReady(video) {
  if (video?.id == null) return;
  if (video.status === 'READY') {
    await showPage(0);
    return;
  }
  for (let attempt = 0; attempt < 30; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 2000));
    try {
      const latest = await getVideo(video.id);
      if (latest.status === 'READY') {
        await showPage(0);
        return;
      }
      if (latest.status === 'FAILED') {
        setStatus($('#upload-status'), `Processing “${latest.title}” failed. Try another file.`, 'error');
        return;
      }
    } catch {
      return;
    }
  }
}

// ---- video grid ----------------------------------------------------------------------------------

let currentPage = 0;

function videoCard(video) {
  const href = `watch.html?id=${encodeURIComponent(video.id)}`;
  return el(
    'li',
    { class: 'video-card', dataset: { videoId: String(video.id) }, 'data-testid': 'video-card' },
    el(
      'a',
      { href, class: 'video-link' },
      el(
        'div',
        { class: 'thumb', 'aria-hidden': 'true', style: { '--hue': hue(video.id) } },
        el('span', { class: 'play-icon', text: '▶' }),
        el('span', { class: 'duration', text: formatDuration(video.durationMs) }),
      ),
      el('span', { class: 'video-title', text: video.title || 'Untitled' }),
    ),
    el(
      'p',
      { class: 'video-meta' },
      el('span', { class: 'sr-only', text: 'Duration ' }),
      el('span', { class: 'meta-duration', text: formatDuration(video.durationMs) }),
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
    const result = await listVideos(page, PAGE_SIZE);
    const items = Array.isArray(result?.items) ? result.items : [];
    const total = Number(result?.total ?? items.length);
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    if (page > 0 && page >= pages) return showPage(pages - 1);
    currentPage = page;
    grid.replaceChildren(...items.map(videoCard));
    setStatus(status, items.length ? '' : 'No videos yet. Upload the first one!', 'info');
    $('#videos-total').textContent = total ? `${total} video${total === 1 ? '' : 's'}` : '';
    $('#pager').hidden = pages <= 1;
    $('#page-info').textContent = `Page ${page + 1} of ${pages}`;
    $('#page-prev').disabled = page <= 0;
    $('#page-next').disabled = page + 1 >= pages;
    const url = new URL(location.href);
    if (page > 0) url.searchParams.set('page', String(page));
    else url.searchParams.delete('page');
    history.replaceState(null, '', url);
  } catch (error) {
    setStatus(status, `Could not load videos. ${errorMessage(error)}`, 'error');
  } finally {
    grid.setAttribute('aria-busy', 'false');
  }
}

function initGrid() {
  $('#page-prev').addEventListener('click', () => showPage(Math.max(0, currentPage - 1)));
  $('#page-next').addEventListener('click', () => showPage(currentPage + 1));
  const requested = Number.parseInt(new URLSearchParams(location.search).get('page') ?? '0', 10);
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
