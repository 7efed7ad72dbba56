// The header's account area, shared by every page: who is logged in, and a logout button.
// The session itself is an HttpOnly cookie; this module only asks the server who we are.

import { currentUser, errorMessage, logout } from './api.js';
import { $, setStatus } from './ui.js';

const listeners = new Set();
let user; // undefined = not known yet, null = anonymous

export function getUser() {
  return user;
}

/** Calls fn(user) now (if known) and on every change. */
export function onUserChange(fn) {
  listeners.add(fn);
  if (user !== undefined) fn(user);
  return () => listeners.delete(fn);
}

export function setUser(next) {
  user = next ?? null;
  render();
  for (const fn of listeners) fn(user);
}

export async function refreshUser() {
  try {
    setUser(await currentUser());
  } catch {
    // Cannot tell (server down): show the anonymous header so people can still try to log in.
    setUser(null);
  }
  return user;
}

function render() {
  const area = $('#session');
  if (!area) return;
  const name = $('#current-user');
  const logoutButton = $('#logout-button');
  const loginLink = $('#login-link');
  area.dataset.state = user ? 'user' : 'anonymous';
  if (name) {
    name.hidden = !user;
    name.textContent = user ? user.displayName || user.username : '';
    name.title = user ? `@${user.username}` : '';
  }
  if (logoutButton) logoutButton.hidden = !user;
  const myVideos = $('#my-videos-link');
  if (myVideos) myVideos.hidden = !user;
  if (loginLink) loginLink.hidden = !!user;
}

export function initSessionHeader() {
  const logoutButton = $('#logout-button');
  logoutButton?.addEventListener('click', async () => {
    logoutButton.disabled = true;
    setStatus($('#session-error'), '');
    try {
      await logout();
      setUser(null);
    } catch (error) {
      setStatus($('#session-error'), errorMessage(error), 'error');
    } finally {
      logoutButton.disabled = false;
    }
  });
  const loginLink = $('#login-link');
  if (loginLink && loginLink.dataset.returnHere !== undefined) {
    // Come back to this page after logging in on the home page.
    const next = location.pathname + location.search;
    loginLink.href = `index.html?next=${encodeURIComponent(next)}#auth`;
  }
  return refreshUser();
}

/** A same-origin path to return to after login, from ?next=, or null. */
export function returnPath() {
  return sameOriginPath(new URLSearchParams(location.search).get('next'), location.origin);
}

/**
 * The path (with query and fragment) that `next` names on this site, or null when it could lead
 * anywhere else: only a single leading slash counts. Browsers drop tabs and newlines inside a URL and
 * read a backslash as a slash, so "/\t/evil.example" and "/\\evil.example" are "//evil.example"; those are
 * refused, and whatever passes is resolved and must still be this origin.
 */
export function sameOriginPath(next, origin) {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//')) return null;
  if (/[\u0000-\u0020\u007f\\]/.test(next)) return null;
  let url;
  try {
    url = new URL(next, origin);
  } catch {
    return null;
  }
  if (url.origin !== origin) return null;
  return url.pathname + url.search + url.hash;
}
