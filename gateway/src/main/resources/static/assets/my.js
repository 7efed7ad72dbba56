// "My videos": the signed-in user's videos, with title/description edits (guarded by If-Match, so two
// editors cannot overwrite each other unseen) and delete with restore until the purge.

import {
  ApiError, deleteVideo, errorMessage, getVideo, getVideoForEdit, isMissing, listVideos, restoreVideo, updateVideo,
} from './api.js';
import { POLL_MS, failureText, keepPolling, processingText, rungLines } from './playback.js';
import { initSessionHeader } from './session.js';
import { $, el, formatDate, formatDuration, setStatus, whileBusy } from './ui.js';

const PAGE_SIZE = 100;
const MAX_PAGES = 20;
let editable = true; // false once the server says PATCH does not exist (yet)

/**
 * The user's videos. Asks for ?owner=me; a server that does not know the filter answers with
 * everyone's videos, so the list is filtered by ownerId either way.
 */
async function myVideos(user) {
  const mine = [];
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await listVideos(page, PAGE_SIZE, { owner: 'me' });
    const items = Array.isArray(result?.items) ? result.items : [];
    mine.push(...items.filter((v) => String(v.ownerId) === String(user.id)));
    const total = Number(result?.total ?? 0);
    if (items.length < PAGE_SIZE || (page + 1) * PAGE_SIZE >= total) break;
  }
  return mine;
}

function row(video) {
  const status = el('p', { class: 'status', role: 'status', hidden: true });
  const title = el('input', { id: `title-${video.id}`, maxlength: '100', required: true, value: video.title ?? '' });
  const description = el('textarea', { id: `description-${video.id}`, rows: '2', maxlength: '2000' });
  description.value = video.description ?? '';
  const save = el('button', { class: 'button primary', type: 'submit', text: 'Save' });
  const form = el(
    'form',
    { class: 'form edit-form', novalidate: true, 'aria-label': `Edit “${video.title}”` },
    el('label', { for: title.id, text: 'Title' }),
    title,
    el('label', { for: description.id, text: 'Description' }),
    description,
    save,
  );
  form.hidden = !editable;
  const heading = el('a', { href: `watch.html?id=${encodeURIComponent(video.id)}`, text: video.title || 'Untitled' });
  const meta = el('p', { class: 'muted', 'data-testid': 'my-video-meta' });
  const progress = el('p', { class: 'muted processing-more', 'data-testid': 'my-video-progress', hidden: true });
  const failure = el('p', { class: 'status', 'data-testid': 'my-video-failure', dataset: { kind: 'error' }, hidden: true });
  const showStatus = (state) => {
    meta.textContent = [formatDuration(video.durationMs), video.createdAt ? formatDate(video.createdAt) : '', String(state ?? '').toLowerCase()]
      .filter(Boolean)
      .join(' · ');
    item.dataset.status = String(state ?? '');
  };
  // Processing progress (per rung) and why processing failed: only the owner sees these videos here.
  const showProcessing = (current) => {
    const text = current.status === 'DELETED' ? null : processingText(current);
    progress.hidden = !text;
    progress.textContent = text ? [text, ...rungLines(current)].join(' · ') : '';
    failure.hidden = current.status !== 'FAILED';
    failure.textContent = current.status === 'FAILED' ? failureText(current) : '';
  };
  let pollTimer = null;
  const follow = (current) => {
    Object.assign(video, current);
    if (item.dataset.deleted === undefined) showStatus(video.status);
    showProcessing(video);
    clearTimeout(pollTimer);
    if (keepPolling(video)) {
      pollTimer = setTimeout(() => getVideo(video.id).then(follow, () => follow(video)), POLL_MS);
    }
  };
  const remove = el('button', { class: 'button', type: 'button', text: 'Delete', dataset: { action: 'delete' } });
  const restore = el('button', { class: 'button', type: 'button', text: 'Restore', dataset: { action: 'restore' }, hidden: true });
  const item = el(
    'li',
    { class: 'panel my-item', dataset: { videoId: String(video.id) }, 'data-testid': 'my-video' },
    el('h2', {}, heading),
    meta,
    progress,
    failure,
    form,
    el('div', { class: 'actions' }, remove, restore),
    status,
  );
  const setDeleted = (deleted) => {
    if (deleted) item.dataset.deleted = '';
    else delete item.dataset.deleted;
    remove.hidden = deleted;
    restore.hidden = !deleted;
    form.hidden = deleted || !editable;
    if (deleted) showStatus('DELETED');
  };
  setDeleted(video.status === 'DELETED');
  follow(video);

  // Remember the version this editor started from, so a change made elsewhere meanwhile is caught.
  form.addEventListener(
    'focusin',
    () => {
      if (!item.dataset.etag) {
        getVideoForEdit(video.id)
          .then(({ etag }) => {
            if (etag && !item.dataset.etag) item.dataset.etag = etag;
          })
          .catch(() => {});
      }
    },
    { once: true },
  );

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const changes = { title: title.value.trim(), description: description.value.trim() };
    if (!changes.title || changes.title.length > 100) {
      setStatus(status, 'Titles need 1 to 100 characters.', 'error');
      title.focus();
      return;
    }
    setStatus(status, '');
    try {
      await whileBusy(form, async () => {
        // The ETag of what this page showed; a change by someone else since then makes this fail (412).
        const etag = item.dataset.etag || (await getVideoForEdit(video.id)).etag;
        const { video: updated, etag: next } = await updateVideo(video.id, changes, etag);
        if (next) item.dataset.etag = next;
        heading.textContent = updated?.title ?? changes.title;
      });
      setStatus(status, 'Saved.', 'ok');
    } catch (error) {
      if (isMissing(error)) {
        editable = false; // no edits on this server yet: the forms go, silently
        for (const f of document.querySelectorAll('.edit-form')) f.hidden = true;
        return;
      }
      if (error instanceof ApiError && error.status === 412) {
        status.replaceChildren(
          'Someone else changed this video in the meantime. ',
          el('button', { class: 'link', type: 'button', text: 'Reload it', onclick: () => reload(video.id, item, title, description, heading, status) }),
          ' and make your change again.',
        );
        status.dataset.kind = 'error';
        status.hidden = false;
        return;
      }
      setStatus(status, errorMessage(error), 'error');
    }
  });

  remove.addEventListener('click', async () => {
    remove.disabled = true;
    try {
      await deleteVideo(video.id);
      setDeleted(true);
      setStatus(status, 'Deleted. You can restore it until it is purged.', 'ok');
      restore.focus();
    } catch (error) {
      setStatus(status, errorMessage(error), 'error');
    } finally {
      remove.disabled = false;
    }
  });

  restore.addEventListener('click', async () => {
    restore.disabled = true;
    try {
      const restored = await restoreVideo(video.id);
      setDeleted(false);
      showStatus(restored?.status ?? 'READY');
      delete item.dataset.etag;
      setStatus(status, 'Restored.', 'ok');
      remove.focus();
    } catch (error) {
      setStatus(status, errorMessage(error), 'error');
    } finally {
      restore.disabled = false;
    }
  });
  return item;
}

async function reload(id, item, title, description, heading, status) {
  try {
    const { video, etag } = await getVideoForEdit(id);
    title.value = video.title ?? '';
    description.value = video.description ?? '';
    heading.textContent = video.title || 'Untitled';
    if (etag) item.dataset.etag = etag;
    else delete item.dataset.etag;
    setStatus(status, 'Reloaded: this is the current version.', 'info');
  } catch (error) {
    setStatus(status, errorMessage(error), 'error');
  }
}

async function start() {
  const user = await initSessionHeader();
  const list = $('#my-list');
  const status = $('#my-status');
  if (!user) {
    list.setAttribute('aria-busy', 'false');
    setStatus(status, 'Log in to see your videos.', 'info');
    return;
  }
  try {
    const videos = await myVideos(user);
    list.replaceChildren(...videos.map(row));
    setStatus(status, videos.length ? '' : 'You have not uploaded any videos yet.', 'info');
  } catch (error) {
    setStatus(status, `Could not load your videos. ${errorMessage(error)}`, 'error');
  } finally {
    list.setAttribute('aria-busy', 'false');
  }
}

start();
