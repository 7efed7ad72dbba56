// Acting on a danmaku from the list panel: like (with counts and a "highly liked" marker), report with a
// reason, recall your own within 2 minutes, and the uploader's tools (protect, delete, close danmaku on
// the video). The list is drawn by watch.js; this module decorates its rows as they are drawn, so the two
// stay independent. The pure parts touch no DOM.

import { api, errorMessage, withRetryHint } from './api.js';
import { el, setStatus } from './ui.js';

export const RECALL_WINDOW_MS = 2 * 60 * 1000;
export const REPORT_REASONS = [
  ['spam', 'Spam'],
  ['abuse', 'Abuse'],
  ['spoiler', 'Spoiler'],
  ['off-topic', 'Off-topic'],
  ['other', 'Other'],
];
// danmaku ids are Snowflakes: milliseconds since this epoch in the bits above 22
const SNOWFLAKE_EPOCH_MS = Date.parse('2026-01-01T00:00:00Z');

/** When a danmaku id was minted (ms since 1970), or null for an id that is not a Snowflake. */
export function mintedAtMs(id) {
  if (!/^\d{1,19}$/.test(String(id))) return null;
  return Number(BigInt(String(id)) >> 22n) + SNOWFLAKE_EPOCH_MS;
}

/** Whether the user may still recall this danmaku: their own, sent less than the window ago. */
export function canRecall(item, userId, nowMs = Date.now(), windowMs = RECALL_WINDOW_MS) {
  if (userId == null || item.senderId == null || String(item.senderId) !== String(userId)) return false;
  const minted = mintedAtMs(item.id);
  return minted != null && nowMs - minted < windowMs;
}

export function isHighlyLiked(count, threshold) {
  return threshold > 0 && count >= threshold;
}

export function likeText(count) {
  return count > 0 ? `♥ ${count}` : '♡';
}

export function initDanmakuActions({ videoId, video, engine, list, status, form, getUser, onUserChange }) {
  const base = `/api/v1/videos/${encodeURIComponent(videoId)}/danmaku`;
  let likes = { counts: {}, mine: new Set(), threshold: 0 };
  let state = { closed: false, protectedIds: new Set() };
  const closedNote = el('p', {
    class: 'status',
    dataset: { testid: 'danmaku-closed', kind: 'info' },
    text: 'The uploader closed danmaku on this video. You can still watch the ones already sent.',
    hidden: true,
  });
  form.after(closedNote);
  const ownerTools = el('div', { class: 'owner-tools', hidden: true });
  closedNote.after(ownerTools);

  const isOwner = () => {
    const user = getUser();
    return !!user && video?.ownerId != null && String(video.ownerId) === String(user.id);
  };
  const fail = (error) => setStatus(status, withRetryHint(errorMessage(error), error?.retryAfter), 'error');

  async function loadLikes() {
    try {
      const result = await api(`${base}/likes`);
      likes = { counts: result.counts ?? {}, mine: new Set(result.mine ?? []), threshold: result.highlyLikedAt ?? 0 };
      decorate();
    } catch {
      // counts are a nicety: the list works without them
    }
  }

  async function loadState() {
    try {
      const result = await api(`${base}/state`);
      state = { closed: !!result.closed, protectedIds: new Set(result.protectedIds ?? []) };
    } catch {
      return;
    }
    showState();
    decorate();
  }

  function showState() {
    closedNote.hidden = !state.closed;
    for (const control of form.elements) control.disabled = state.closed;
    form.dataset.closed = String(state.closed);
    ownerTools.hidden = !isOwner();
    ownerTools.replaceChildren(
      el('button', {
        type: 'button',
        class: 'button ghost small',
        dataset: { testid: 'close-danmaku' },
        text: state.closed ? 'Open danmaku on this video' : 'Close danmaku on this video',
        onclick: async () => {
          try {
            const result = await api(`${base}/state`, { method: 'PUT', body: { closed: !state.closed } });
            state.closed = !!result.closed;
            showState();
          } catch (error) {
            fail(error);
          }
        },
      }),
    );
  }

  async function like(item) {
    try {
      const result = await api(`${base}/${encodeURIComponent(item.id)}/like`, { method: 'PUT' });
      likes.counts[item.id] = result.likes;
      likes.mine.add(item.id);
      decorate();
    } catch (error) {
      fail(error);
    }
  }

  async function report(item, reason) {
    try {
      await api(`/api/v1/danmaku/${encodeURIComponent(item.id)}/reports`, { method: 'POST', body: { reason } });
      setStatus(status, 'Thanks, the danmaku was reported to the moderators.', 'ok');
    } catch (error) {
      fail(error);
    }
  }

  async function recall(item) {
    try {
      const result = await api(`/api/v1/danmaku/${encodeURIComponent(item.id)}/recall`, { method: 'POST' });
      engine.remove([item.id]);
      setStatus(status, `Recalled. You can recall ${result.recallsLeftToday} more today.`, 'ok');
    } catch (error) {
      if (error?.code === 'danmaku-not-found') engine.remove([item.id]);
      fail(error);
    }
  }

  async function protect(item, on) {
    try {
      await api(`/api/v1/danmaku/${encodeURIComponent(item.id)}/protection`, { method: on ? 'PUT' : 'DELETE' });
      if (on) state.protectedIds.add(item.id);
      else state.protectedIds.delete(item.id);
      decorate();
    } catch (error) {
      fail(error);
    }
  }

  async function remove(item) {
    try {
      await api(`/api/v1/danmaku/${encodeURIComponent(item.id)}`, { method: 'DELETE' });
      engine.remove([item.id]);
    } catch (error) {
      fail(error);
    }
  }

  function actionsFor(item) {
    const user = getUser();
    const count = Number(likes.counts[item.id] ?? 0);
    const controls = [
      el('button', {
        type: 'button',
        class: `button ghost small like${likes.mine.has(item.id) ? ' liked' : ''}`,
        dataset: { testid: 'like-button', count: String(count) },
        'aria-pressed': String(likes.mine.has(item.id)),
        'aria-label': `Like “${item.text}” (${count} likes)`,
        disabled: !user,
        text: likeText(count),
        onclick: () => like(item),
      }),
    ];
    if (isHighlyLiked(count, likes.threshold)) {
      controls.push(el('span', { class: 'highly-liked', dataset: { testid: 'highly-liked' }, title: 'Highly liked', text: '★' }));
    }
    if (user) {
      const select = el(
        'select',
        { class: 'report', 'aria-label': `Report “${item.text}”`, dataset: { testid: 'report' } },
        el('option', { value: '', text: 'Report…' }),
        ...REPORT_REASONS.map(([value, label]) => el('option', { value, text: label })),
      );
      select.addEventListener('change', () => {
        if (select.value) report(item, select.value);
        select.value = '';
      });
      controls.push(select);
    }
    if (canRecall(item, user?.id) && !state.protectedIds.has(item.id)) {
      controls.push(
        el('button', {
          type: 'button',
          class: 'button ghost small',
          dataset: { testid: 'recall' },
          text: 'Recall',
          onclick: () => recall(item),
        }),
      );
    }
    if (isOwner()) {
      const guarded = state.protectedIds.has(item.id);
      controls.push(
        el('button', {
          type: 'button',
          class: 'button ghost small',
          dataset: { testid: 'protect' },
          'aria-pressed': String(guarded),
          text: guarded ? 'Protected' : 'Protect',
          onclick: () => protect(item, !guarded),
        }),
      );
      if (String(item.senderId) !== String(user.id)) {
        controls.push(
          el('button', { type: 'button', class: 'button ghost small', text: 'Remove', onclick: () => remove(item) }),
        );
      }
    }
    return el('span', { class: 'danmaku-actions' }, ...controls);
  }

  function decorate() {
    const byId = new Map(engine.timeline.items.map((item) => [item.id, item]));
    for (const row of list.querySelectorAll('li.danmaku-row')) {
      const item = byId.get(row.dataset.id);
      if (!item) continue;
      row.querySelector(':scope > .danmaku-actions')?.remove();
      row.append(actionsFor(item));
    }
  }

  // watch.js redraws the list's rows; decorate each new drawing
  new MutationObserver(() => decorate()).observe(list, { childList: true });
  onUserChange?.(() => {
    showState();
    decorate();
    loadLikes();
  });
  loadState();
  loadLikes();
  const timer = setInterval(loadLikes, 30_000);
  return { refresh: () => Promise.all([loadLikes(), loadState()]), stop: () => clearInterval(timer) };
}
