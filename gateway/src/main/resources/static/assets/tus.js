// A small tus 1.0 client (https://tus.io/protocols/resumable-upload): create the upload, send it in
// chunks with PATCH, and after a dropped connection ask the server (HEAD) how much it has and go on
// from there, waiting longer after each failure. The transport is injected, so Node tests drive the
// state machine with a fake server; the page uses xhrTransport for upload progress events.

import { backoffDelay } from './live.js';

export const TUS_VERSION = '1.0.0';
const CSRF_HEADER = 'X-Barrage-Csrf';

/** base64 of a UTF-8 string (Upload-Metadata values). */
export function base64Utf8(text) {
  const bytes = new TextEncoder().encode(String(text));
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** The Upload-Metadata header: comma-separated `key base64(value)` pairs; empty values are left out. */
export function encodeMetadata(metadata) {
  return Object.entries(metadata)
    .filter(([, value]) => value != null && value !== '')
    .map(([key, value]) => `${key} ${base64Utf8(value)}`)
    .join(',');
}

/**
 * The video an upload became, from whatever the server chose to say: an X-Video-Id header, a
 * Location naming /videos/{id}, or a JSON body with id/videoId. Null when none.
 */
export function videoIdFrom(headers, body) {
  const header = headers?.get?.('X-Video-Id');
  if (header && /^\d{1,19}$/.test(header.trim())) return header.trim();
  const location = headers?.get?.('Location');
  const match = location && /\/videos\/(\d{1,19})(?:[/?#]|$)/.exec(location);
  if (match) return match[1];
  const id = body?.videoId ?? body?.id;
  if (id != null && /^\d{1,19}$/.test(String(id))) return String(id);
  return null;
}

/** Whether the server speaks tus at `endpoint` (OPTIONS answers with Tus-Resumable or Tus-Version). */
export async function supportsTus(transport, endpoint = '/api/v1/uploads') {
  try {
    const response = await transport({ method: 'OPTIONS', url: endpoint, headers: { 'Tus-Resumable': TUS_VERSION } });
    if (response.status < 200 || response.status >= 300) return false;
    return !!(response.headers.get('Tus-Resumable') || response.headers.get('Tus-Version'));
  } catch {
    return false;
  }
}

export class TusError extends Error {
  constructor(status, code, message) {
    super(message);
    this.name = 'TusError';
    this.status = status;
    this.code = code;
  }
}

/**
 * States (onState): 'creating', 'uploading', 'retrying' ({delayMs, attempt}), 'finishing', 'done',
 * 'failed', 'aborted'. onProgress(sentBytes, totalBytes).
 */
export class TusUpload {
  constructor({
    file, // Blob-like: size, slice(start, end); name and lastModified used for the resume key
    metadata = {},
    endpoint = '/api/v1/uploads',
    transport,
    chunkSize = 2 * 1024 * 1024,
    maxRetries = 8,
    sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random = Math.random,
    storage = null, // localStorage-like, to resume after a reload; holds only the upload URL
    onProgress = () => {},
    onState = () => {},
  }) {
    Object.assign(this, { file, metadata, endpoint, transport, chunkSize, maxRetries, sleep, random, storage });
    Object.assign(this, { onProgress, onState });
    this.url = null;
    this.offset = 0;
    this.state = 'idle';
    this.aborted = false;
    this.lastResponse = null;
  }

  get resumeKey() {
    const f = this.file;
    return `barrage.tus.${f.name ?? ''}.${f.size}.${f.lastModified ?? ''}`;
  }

  abort() {
    this.aborted = true;
    this.current?.abort?.();
  }

  #set(state, detail = {}) {
    this.state = state;
    this.onState(state, detail);
  }

  async #send(request) {
    if (this.aborted) throw new TusError(0, 'aborted', 'Upload cancelled.');
    const call = this.transport(request);
    this.current = call;
    try {
      return await call;
    } finally {
      this.current = null;
    }
  }

  /** Resolves to {videoId, url}; rejects with TusError. */
  async start() {
    try {
      return await this.#run();
    } catch (error) {
      if (this.aborted) {
        this.#set('aborted');
        throw new TusError(0, 'aborted', 'Upload cancelled.');
      }
      this.#set('failed', { error });
      throw error;
    }
  }

  async #run() {
    await this.#withRetries(() => this.#resumeOrCreate());
    this.#set('uploading');
    while (this.offset < this.file.size || this.lastResponse == null) {
      await this.#withRetries(async (retrying) => {
        if (retrying) await this.#learnOffset();
        if (this.offset >= this.file.size && this.lastResponse) return;
        await this.#patch();
      });
      if (this.file.size === 0) break;
    }
    this.#set('finishing');
    let videoId = videoIdFrom(this.lastResponse?.headers, this.lastResponse?.body);
    if (!videoId) {
      const head = await this.#send({ method: 'HEAD', url: this.url, headers: { 'Tus-Resumable': TUS_VERSION } });
      videoId = videoIdFrom(head.headers, null);
    }
    this.storage?.removeItem?.(this.resumeKey);
    this.#set('done', { videoId });
    return { videoId, url: this.url };
  }

  async #resumeOrCreate() {
    const saved = this.url ?? this.storage?.getItem?.(this.resumeKey);
    if (saved) {
      const head = await this.#send({ method: 'HEAD', url: saved, headers: { 'Tus-Resumable': TUS_VERSION } });
      const offset = Number(head.headers.get('Upload-Offset'));
      if (head.status >= 200 && head.status < 300 && Number.isInteger(offset) && offset >= 0) {
        this.url = saved;
        this.offset = offset;
        this.onProgress(offset, this.file.size);
        return;
      }
      if (head.status >= 500) throw new TusError(head.status, 'server', 'The server is unavailable.');
      this.storage?.removeItem?.(this.resumeKey); // gone or expired: start afresh
    }
    this.#set('creating');
    const response = await this.#send({
      method: 'POST',
      url: this.endpoint,
      headers: {
        'Tus-Resumable': TUS_VERSION,
        'Upload-Length': String(this.file.size),
        'Upload-Metadata': encodeMetadata(this.metadata),
        [CSRF_HEADER]: '1',
      },
    });
    if (response.status >= 500) throw new TusError(response.status, 'server', 'The server is unavailable.');
    if (response.status !== 201 && response.status !== 200) throw fatal(response);
    const location = response.headers.get('Location');
    if (!location) throw new TusError(response.status, 'no-location', 'The server did not say where to upload.');
    this.url = location;
    this.offset = 0;
    this.storage?.setItem?.(this.resumeKey, location);
  }

  async #learnOffset() {
    const head = await this.#send({ method: 'HEAD', url: this.url, headers: { 'Tus-Resumable': TUS_VERSION } });
    if (head.status === 404 || head.status === 410) {
      this.storage?.removeItem?.(this.resumeKey);
      throw new TusError(head.status, 'upload-not-found', 'That upload expired. Please start it again.');
    }
    if (head.status >= 500) throw new TusError(head.status, 'server', 'The server is unavailable.');
    const offset = Number(head.headers.get('Upload-Offset'));
    if (!Number.isInteger(offset) || offset < 0) throw new TusError(head.status, 'no-offset', 'The server lost the upload.');
    this.offset = offset;
    this.onProgress(offset, this.file.size);
  }

  async #patch() {
    const start = this.offset;
    const end = Math.min(this.file.size, start + this.chunkSize);
    const response = await this.#send({
      method: 'PATCH',
      url: this.url,
      headers: {
        'Tus-Resumable': TUS_VERSION,
        'Upload-Offset': String(start),
        'Content-Type': 'application/offset+octet-stream',
        [CSRF_HEADER]: '1',
      },
      body: this.file.slice(start, end),
      onUploadProgress: (loaded) => this.onProgress(Math.min(end, start + loaded), this.file.size),
    });
    if (response.status === 409) throw new TusError(409, 'offset-mismatch', 'Out of step with the server.');
    if (response.status === 423 || response.status >= 500) {
      throw new TusError(response.status, 'server', 'The server is unavailable.');
    }
    if (response.status < 200 || response.status >= 300) throw fatal(response);
    const offset = Number(response.headers.get('Upload-Offset'));
    this.offset = Number.isInteger(offset) && offset >= start ? offset : end;
    this.lastResponse = response;
    this.onProgress(this.offset, this.file.size);
  }

  /** Runs step; on a network error, 5xx, 409 or 423 waits with backoff and tries again (step(true)). */
  async #withRetries(step) {
    for (let attempt = 0; ; attempt++) {
      try {
        return await step(attempt > 0);
      } catch (error) {
        if (this.aborted) throw error;
        const retriable = !(error instanceof TusError) || ['server', 'offset-mismatch'].includes(error.code);
        if (!retriable || attempt >= this.maxRetries) {
          throw error instanceof TusError ? error : new TusError(0, 'network', 'Cannot reach the server.');
        }
        const delayMs = backoffDelay(attempt, { baseMs: 500, capMs: 15000, random: this.random });
        this.#set('retrying', { delayMs, attempt: attempt + 1 });
        await this.sleep(delayMs);
        if (this.aborted) throw new TusError(0, 'aborted', 'Upload cancelled.');
        this.#set('uploading');
      }
    }
  }
}

function fatal(response) {
  const code = typeof response.body?.code === 'string' ? response.body.code : 'http-' + response.status;
  return new TusError(response.status, code, `The server refused the upload (${response.status}).`);
}

/**
 * The browser transport: XMLHttpRequest, for upload progress. Resolves to {status, headers, body}
 * for any HTTP answer; rejects only when no answer came (network error) or on abort.
 */
export function xhrTransport({ method, url, headers = {}, body = null, onUploadProgress }) {
  const xhr = new XMLHttpRequest();
  const promise = new Promise((resolve, reject) => {
    xhr.open(method, url);
    xhr.withCredentials = true;
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    if (onUploadProgress && xhr.upload) {
      xhr.upload.addEventListener('progress', (event) => onUploadProgress(event.loaded));
    }
    xhr.addEventListener('load', () => {
      let parsed = null;
      try {
        parsed = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        parsed = null;
      }
      resolve({ status: xhr.status, headers: { get: (name) => xhr.getResponseHeader(name) }, body: parsed });
    });
    xhr.addEventListener('error', () => reject(new Error('network')));
    xhr.addEventListener('timeout', () => reject(new Error('timeout')));
    xhr.addEventListener('abort', () => reject(new DOMException('Upload cancelled', 'AbortError')));
    xhr.send(body);
  });
  promise.abort = () => xhr.abort();
  return promise;
}
