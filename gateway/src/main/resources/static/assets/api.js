// The one place the UI talks HTTP to the gateway. The session lives in an HttpOnly cookie that the
// server sets on login, so no token is ever read, stored or sent by this code: every request relies
// on the browser attaching the cookie (credentials: 'same-origin').

const GENERIC = 'Something went wrong. Please try again.';

// Human sentences for the stable problem codes of docs/api.md. A caller can override a code for its
// context (an `unauthenticated` upload is not the same sentence as an `unauthenticated` danmaku).
const MESSAGES = {
  'invalid-credentials': 'Wrong username or password.',
  'username-taken': 'That username is already taken. Try another one.',
  'weak-password': 'Passwords need 8 to 128 characters.',
  'invalid-username': 'Usernames are 3 to 32 letters, digits or underscores.',
  'payload-too-large': 'That file is too large to upload.',
  'unsupported-media-type': 'That file is not a supported video. Upload an MP4, MOV, WebM or MKV file.',
  'missing-file': 'Choose a video file to upload.',
  'invalid-title': 'Titles need 1 to 100 characters.',
  'text-too-long': 'A danmaku can be at most 100 characters long.',
  'text-empty': 'Type a comment first.',
  'control-characters': 'A danmaku cannot contain control characters.',
  'playback-out-of-range': 'That playback position is outside the video.',
  'invalid-mode': 'Pick scroll, top or bottom.',
  'invalid-color': 'Pick a valid colour.',
  'invalid-size': 'Pick a valid size.',
  unauthenticated: 'Please log in first.',
  'broker-unavailable': 'Danmaku are briefly unavailable. Please try again in a moment.',
  'video-not-found': 'This video does not exist or was deleted.',
  'user-not-found': 'That user does not exist.',
  'rate-limited': 'You are going too fast. Wait a moment and try again.',
  'too-many-requests': 'You are going too fast. Wait a moment and try again.',
  'malformed-json': GENERIC,
  'internal-error': 'The server had a problem. Please try again.',
};

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
export async function api(path, { method = 'GET', body, headers = {}, signal } = {}) {
  const init = {
    method,
    credentials: 'same-origin',
    headers: { Accept: 'application/json, application/problem+json', ...headers },
    signal,
  };
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
  if (!response.ok) throw new ApiError(response.status, await readProblem(response));
  if (response.status === 204) return null;
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(response.status >= 500 ? response.status : 502, null);
  }
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

export function listVideos(page = 0, size = 20) {
  const query = new URLSearchParams({ page: String(page), size: String(size) });
  return api(`/api/v1/videos?${query}`);
}

export function getVideo(id) {
  return api(`/api/v1/videos/${encodeURIComponent(id)}`);
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

export function sendDanmaku(videoId, { text, playbackMs, mode, color }, idempotencyKey) {
  const headers = idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {};
  return api(`/api/v1/videos/${encodeURIComponent(videoId)}/danmaku`, {
    method: 'POST',
    body: { text, playbackMs, mode, color },
    headers,
  });
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
