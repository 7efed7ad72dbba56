// The one place the UI talks HTTP to the gateway. The session lives in an HttpOnly cookie that the
// server sets on login, so no token is ever read, stored or sent by this code: every request relies
// on the browser attaching the cookie (credentials: 'same-origin').

const GENERIC = 'Something went wrong. Please try again.';

// Human sentences for the stable problem codes of docs/api.md. A caller can override a code for its
// context (an `unauthenticated` upload is not the same sentence as an `unauthenticated` danmaku).
const MESSAGES = {
  // accounts
  'invalid-credentials': 'Wrong username or password.',
  'username-taken': 'That username is already taken. Try another one.',
  'weak-password': 'Passwords need 8 to 128 characters.',
  'invalid-username': 'Usernames are 3 to 32 letters, digits or underscores.',
  'too-many-attempts': 'Too many login attempts. Wait a little and try again.',
  'session-not-found': 'Your session has ended. Please log in again.',
  'user-not-found': 'That user does not exist.',
  unauthenticated: 'Please log in first.',
  forbidden: 'You are not allowed to do that.',
  // videos
  'payload-too-large': 'That file is too large to upload.',
  'unsupported-media-type': 'That file is not a supported video. Upload an MP4, MOV, WebM or MKV file.',
  'missing-file': 'Choose a video file to upload.',
  'invalid-video': 'That file looks damaged: it could not be read as a video.',
  'invalid-title': 'Titles need 1 to 100 characters.',
  'invalid-description': 'Descriptions can be at most 2000 characters long.',
  'storage-unavailable': 'Video storage is briefly unavailable. Please try again in a moment.',
  'video-not-found': 'This video does not exist or was deleted.',
  'video-not-deleted': 'This video is not deleted, so there is nothing to restore.',
  'version-mismatch': 'Someone else changed this video in the meantime. Reload it and make your change again.',
  'upload-not-found': 'That upload expired. Please start it again.',
  'offset-mismatch': 'The upload got out of step with the server. It will resume from where the server is.',
  // danmaku
  'text-too-long': 'A danmaku can be at most 100 characters long.',
  'text-empty': 'Type a comment first.',
  'control-characters': 'A danmaku cannot contain control characters.',
  'playback-out-of-range': 'That playback position is outside the video.',
  'invalid-mode': 'Pick scroll, top or bottom.',
  'invalid-color': 'Pick a valid colour.',
  'invalid-size': 'Pick a valid size.',
  'banned-word': 'Your danmaku contains a word that is not allowed here. Please rephrase it.',
  cooldown: 'You are sending danmaku too quickly. Wait a few seconds before the next one.',
  duplicate: 'You already sent that danmaku just now.',
  muted: 'You cannot send danmaku right now.',
  banned: 'Your account may not send danmaku.',
  'danmaku-not-found': 'That danmaku no longer exists.',
  'broker-unavailable': 'Danmaku are briefly unavailable. Please try again in a moment.',
  'video-service-unavailable': 'Danmaku are briefly unavailable. Please try again in a moment.',
  'sequence-unavailable': 'Danmaku are briefly unavailable. Please try again in a moment.',
  // everywhere
  'rate-limited': 'You are going too fast. Wait a moment and try again.',
  'too-many-requests': 'You are going too fast. Wait a moment and try again.',
  'csrf-rejected': 'Your browser sent the request without its safety header. Reload the page and try again.',
  'origin-not-allowed': 'Requests from this site are not allowed.',
  'cors-rejected': 'Requests from this site are not allowed.',
  'invalid-path': 'That address is not valid.',
  'invalid-request': 'Some of the information sent was not valid. Check the form and try again.',
  'malformed-json': GENERIC,
  'not-found': 'Not found.',
  'method-not-allowed': 'That action is not available.',
  'not-acceptable': GENERIC,
  'service-unavailable': 'The service is unavailable right now. Please try again shortly.',
  // a token the gateway could not check (user-service restarting): the user is still signed in
  'session-check-unavailable': 'Your session cannot be checked right now; you are still signed in. Please try again shortly.',
  'too-many-open-uploads': 'You have too many unfinished uploads. Finish or cancel one first.',
  'bad-gateway': 'The service is unavailable right now. Please try again shortly.',
  'gateway-timeout': 'The server took too long to answer. Please try again.',
  'internal-error': 'The server had a problem. Please try again.',
};

/** Every problem code the UI knows a sentence for (the tests check each reads like one). */
export const KNOWN_CODES = Object.freeze(Object.keys(MESSAGES));

/** Header the gateway requires on cookie-authenticated writes (see CsrfGuard). */
export const CSRF_HEADER = 'X-Barrage-Csrf';


// When a proxy answers without a problem body (or the code is unknown) the status still says enough.
const BY_STATUS = {
  401: MESSAGES.unauthenticated,
  404: 'Not found.',
  413: MESSAGES['payload-too-large'],
  415: MESSAGES['unsupported-media-type'],
  429: MESSAGES['rate-limited'],
  502: 'The service is unavailable right now. Please try again shortly.',
  503: 'The service is unavailable right now. Please try again shortly.',
  504: 'The server took too long to answer. Please try again.',
};

export class ApiError extends Error {
  constructor(status, problem) {
    const code = typeof problem?.code === 'string' ? problem.code : null;
    super(describe(status, code, problem));
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.title = typeof problem?.title === 'string' ? problem.title : null;
    this.detail = typeof problem?.detail === 'string' ? problem.detail : null;
    this.field = typeof problem?.field === 'string' ? problem.field : null;
    this.retryAfter = null; // seconds, from Retry-After when the server sent it
  }

  /** The sentence to show, with per-context overrides keyed by problem code. */
  describe(overrides = {}) {
    // A bare 401 (no problem body) still means "log in", in whatever words the context chose.
    const key = this.code ?? (this.status === 401 ? 'unauthenticated' : null);
    if (key && overrides[key]) return overrides[key];
    return this.message;
  }
}

function describe(status, code, problem) {
  if (status === 0) return 'Cannot reach the server. Check your connection and try again.';
  if (code && MESSAGES[code]) return MESSAGES[code];
  // An unknown code: the server's detail is a sentence meant for people; a title is the fallback.
  // Both are plain strings rendered as text, never markup.
  const detail = typeof problem?.detail === 'string' ? problem.detail.trim() : '';
  if (detail && detail.length <= 200 && status < 500) return detail;
  if (BY_STATUS[status]) return BY_STATUS[status];
  const title = typeof problem?.title === 'string' ? problem.title.trim() : '';
  if (title && title.length <= 120 && status < 500) return title;
  return GENERIC;
}

/** Turns any thrown value into a sentence for people. */
export function errorMessage(error, overrides = {}) {
  if (error instanceof ApiError) return error.describe(overrides);
  if (error?.name === 'AbortError') return 'Cancelled.';
  return GENERIC;
}

/** Adds "Try again in N seconds." when the server said how long to wait. */
export function withRetryHint(message, retryAfterSeconds) {
  const seconds = Number(retryAfterSeconds);
  if (!Number.isFinite(seconds) || seconds <= 0) return message;
  const rounded = Math.ceil(seconds);
  return `${message.replace(/\s*Wait a (little|moment) and try again\.?$/, '')} Try again in ${rounded} second${rounded === 1 ? '' : 's'}.`.trim();
}

/**
 * Which form field a problem is about, so its sentence can sit next to that field:
 * the problem's own `field`, else what the code implies.
 */
export function fieldOf(error) {
  if (!(error instanceof ApiError)) return null;
  if (error.field) return error.field;
  return CODE_FIELDS[error.code] ?? null;
}

const CODE_FIELDS = {
  'invalid-username': 'username',
  'username-taken': 'username',
  'weak-password': 'password',
  'invalid-credentials': 'password',
  'invalid-title': 'title',
  'invalid-description': 'description',
  'missing-file': 'file',
  'unsupported-media-type': 'file',
  'payload-too-large': 'file',
  'invalid-video': 'file',
  'text-too-long': 'text',
  'text-empty': 'text',
  'control-characters': 'text',
  'banned-word': 'text',
};

function isWrite(method) {
  return !['GET', 'HEAD', 'OPTIONS'].includes(String(method).toUpperCase());
}

async function readProblem(response) {
  try {
    const text = await response.text();
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

/**
 * Calls the API and returns the parsed JSON body (or null for 204). Throws ApiError with a human
 * message for any non-2xx answer or network failure.
 */
export async function api(path, options = {}) {
  return (await apiResponse(path, options)).body;
}

/** Like api(), but resolves to {body, headers} for callers that need ETag or Location. */
export async function apiResponse(path, { method = 'GET', body, headers = {}, signal } = {}) {
  const init = {
    method,
    credentials: 'same-origin',
    headers: { Accept: 'application/json, application/problem+json', ...headers },
    signal,
  };
  if (isWrite(method)) init.headers[CSRF_HEADER] = '1';
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    if (error?.name === 'AbortError') throw error;
    throw new ApiError(0, null);
  }
  if (!response.ok) {
    const error = new ApiError(response.status, await readProblem(response));
    error.retryAfter = Number(response.headers.get('Retry-After')) || null;
    throw error;
  }
  if (response.status === 204) return { body: null, headers: response.headers };
  const text = await response.text();
  if (!text) return { body: null, headers: response.headers };
  try {
    return { body: JSON.parse(text), headers: response.headers };
  } catch {
    throw new ApiError(response.status >= 500 ? response.status : 502, null);
  }
}

/** True when an endpoint is simply not there (yet): the caller hides the feature. */
export function isMissing(error) {
  return error instanceof ApiError && (error.status === 404 || error.status === 405) &&
    (error.code == null || error.code === 'not-found' || error.code === 'method-not-allowed');
}

// ---- users and sessions -------------------------------------------------------------------------

/** The logged-in user, or null when the request is anonymous. */
export async function currentUser() {
  try {
    return await api('/api/v1/users/me');
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

export function login(username, password) {
  return api('/api/v1/sessions', { method: 'POST', body: { username, password } });
}

export function register(username, password, displayName) {
  const body = { username, password };
  if (displayName) body.displayName = displayName;
  return api('/api/v1/users', { method: 'POST', body });
}

export async function logout() {
  try {
    await api('/api/v1/sessions/current', { method: 'DELETE' });
  } catch (error) {
    // Already logged out (expired or revoked elsewhere) is the state we wanted anyway.
    if (!(error instanceof ApiError && error.status === 401)) throw error;
  }
}

// ---- videos --------------------------------------------------------------------------------------

export function listVideos(page = 0, size = 20, { sort, q, owner } = {}) {
  const query = new URLSearchParams({ page: String(page), size: String(size) });
  if (sort && sort !== 'new') query.set('sort', sort);
  if (q) query.set('q', q);
  if (owner) query.set('owner', owner);
  return api(`/api/v1/videos?${query}`);
}

export function hotVideos(limit = 10) {
  return api(`/api/v1/videos/hot?limit=${encodeURIComponent(limit)}`);
}

export function getVideo(id) {
  return api(`/api/v1/videos/${encodeURIComponent(id)}`);
}

/** The video and its ETag, for an edit guarded by If-Match. */
export async function getVideoForEdit(id) {
  const { body, headers } = await apiResponse(`/api/v1/videos/${encodeURIComponent(id)}`);
  return { video: body, etag: headers.get('ETag') };
}

export async function updateVideo(id, changes, etag) {
  const headers = etag ? { 'If-Match': etag } : {};
  const result = await apiResponse(`/api/v1/videos/${encodeURIComponent(id)}`, { method: 'PATCH', body: changes, headers });
  return { video: result.body, etag: result.headers.get('ETag') };
}

export function deleteVideo(id) {
  return api(`/api/v1/videos/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

export function restoreVideo(id) {
  return api(`/api/v1/videos/${encodeURIComponent(id)}/restore`, { method: 'POST' });
}

export function thumbnailUrl(id) {
  return `/api/v1/videos/${encodeURIComponent(id)}/thumbnail`;
}

/** Counts a view once per playback start; failures do not matter to the viewer. */
export function countView(id) {
  return api(`/api/v1/videos/${encodeURIComponent(id)}/views`, { method: 'POST' }).catch(() => null);
}

const profiles = new Map();

/** A public profile, fetched once per page per user. Resolves to null when unknown. */
export function userProfile(id) {
  const key = String(id);
  if (!profiles.has(key)) {
    profiles.set(key, api(`/api/v1/users/${encodeURIComponent(key)}`).catch(() => null));
  }
  return profiles.get(key);
}

export function streamUrl(id) {
  return `/api/v1/videos/${encodeURIComponent(id)}/stream`;
}

/**
 * Uploads with XMLHttpRequest because fetch cannot report upload progress.
 * Returns {promise, abort}; the promise resolves to the created video.
 */
export function uploadVideo({ file, title, description }, onProgress = () => {}) {
  const xhr = new XMLHttpRequest();
  const promise = new Promise((resolve, reject) => {
    const form = new FormData();
    form.append('title', title);
    if (description) form.append('description', description);
    form.append('file', file, file.name);

    xhr.open('POST', '/api/v1/videos');
    xhr.setRequestHeader('Accept', 'application/json, application/problem+json');
    xhr.setRequestHeader(CSRF_HEADER, '1');
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total);
    });
    xhr.addEventListener('load', () => {
      let body = null;
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        body = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body);
      else reject(new ApiError(xhr.status, body));
    });
    xhr.addEventListener('error', () => reject(new ApiError(0, null)));
    xhr.addEventListener('abort', () => reject(new DOMException('Upload cancelled', 'AbortError')));
    xhr.send(form);
  });
  return { promise, abort: () => xhr.abort() };
}

// ---- danmaku and live ----------------------------------------------------------------------------

export function danmakuHistory(videoId, { fromMs = 0, toMs, limit = 5000 } = {}) {
  const query = new URLSearchParams({ fromMs: String(fromMs), toMs: String(toMs), limit: String(limit) });
  return api(`/api/v1/videos/${encodeURIComponent(videoId)}/danmaku?${query}`);
}

export const SEGMENT_MS = 6 * 60 * 1000;

/**
 * One 6-minute segment of history. The window is sent as fromMs/toMs too, so a server that does not
 * know `segment` yet still answers with the same items.
 */
export function danmakuSegment(videoId, segment) {
  const query = new URLSearchParams({
    segment: String(segment),
    fromMs: String(segment * SEGMENT_MS),
    toMs: String((segment + 1) * SEGMENT_MS - 1),
    limit: '5000',
  });
  return api(`/api/v1/videos/${encodeURIComponent(videoId)}/danmaku?${query}`);
}

export function sendDanmaku(videoId, { text, playbackMs, mode, color, size }, idempotencyKey) {
  const headers = idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {};
  const body = { text, playbackMs, mode, color };
  if (size) body.size = size;
  return api(`/api/v1/videos/${encodeURIComponent(videoId)}/danmaku`, { method: 'POST', body, headers });
}

export function deleteDanmaku(id) {
  return api(`/api/v1/danmaku/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

export function onlineCount(videoId) {
  return api(`/api/v1/videos/${encodeURIComponent(videoId)}/online`);
}

export function liveUrl(videoId, since) {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const query = since != null ? `?since=${encodeURIComponent(since)}` : '';
  return `${scheme}://${location.host}/ws/v1/videos/${encodeURIComponent(videoId)}${query}`;
}

/** A random key; crypto.randomUUID only exists in secure contexts, getRandomValues everywhere. */
export function randomKey() {
  if (globalThis.crypto?.randomUUID) {
    try {
      return crypto.randomUUID();
    } catch {
      // insecure context: fall through
    }
  }
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
