// Settings, error sentences and the tus upload state machine of the web UI, plus the renderer's
// reactions to deleted danmaku, blocked keywords and density. Run with: node --test gateway/src/test/js
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';

const assets = new URL('../../main/resources/static/assets/', import.meta.url);
const load = (name) =>
  import(`data:text/javascript;charset=utf-8,${encodeURIComponent(readFileSync(new URL(name, assets), 'utf8'))}`);

const settingsModule = await load('settings.js');
const { sanitize, loadSettings, saveSettings, isBlocked, parseKeywords, lanesFor, STORAGE_KEY, DEFAULTS } = settingsModule;
const api = await load('api.js');
// tus.js imports live.js, so it is loaded from its file where the relative import resolves.
const { TusUpload, encodeMetadata, videoIdFrom, supportsTus } = await import(new URL('tus.js', assets));

class MemoryStorage {
  constructor() { this.map = new Map(); }
  getItem(k) { return this.map.has(k) ? this.map.get(k) : null; }
  setItem(k, v) { this.map.set(k, String(v)); }
  removeItem(k) { this.map.delete(k); }
}

// ---- settings -------------------------------------------------------------------------------------

test('settings survive a reload and anything odd in storage falls back to the defaults', () => {
  const storage = new MemoryStorage();
  assert.deepEqual(loadSettings(storage), { ...DEFAULTS, blocked: [] });
  saveSettings({ visible: false, density: 0.5, opacity: 0.4, blocked: ['Spoiler', ' spoiler ', '', 'ending'] }, storage);
  assert.deepEqual(loadSettings(storage), { visible: false, density: 0.5, opacity: 0.4, blocked: ['spoiler', 'ending'] });

  storage.setItem(STORAGE_KEY, '{not json');
  assert.deepEqual(loadSettings(storage), sanitize(null));
  storage.setItem(STORAGE_KEY, JSON.stringify({ visible: 'yes', density: 9, opacity: -1, blocked: 'a, b,,c' }));
  assert.deepEqual(loadSettings(storage), { visible: true, density: 1, opacity: 0.2, blocked: ['a', 'b', 'c'] });
  const broken = { getItem() { throw new Error('denied'); }, setItem() { throw new Error('full'); } };
  assert.deepEqual(loadSettings(broken), sanitize(null));
  assert.equal(saveSettings({ density: 0.25 }, broken).density, 0.25, 'still applies when it cannot be saved');
});

test('blocked keywords hide comments containing them, ignoring case', () => {
  const settings = sanitize({ blocked: parseKeywords('Spoiler, BOO') });
  assert.equal(isBlocked('no SPOILERS please', settings), true);
  assert.equal(isBlocked('booooring', settings), true);
  assert.equal(isBlocked('what a scene', settings), false);
  assert.equal(isBlocked('anything', sanitize(null)), false);
  assert.equal(parseKeywords(Array.from({ length: 500 }, (_, i) => `w${i}`)).length, 100);
  assert.equal(lanesFor(20, 0.25), 5);
  assert.equal(lanesFor(3, 0.25), 1);
  assert.equal(lanesFor(20, 1), 20);
});

// ---- error sentences ------------------------------------------------------------------------------

test('every problem code of docs/api.md and the live contract has a human sentence, never JSON', () => {
  const codes = [
    'invalid-credentials', 'username-taken', 'weak-password', 'invalid-username', 'too-many-attempts', 'unauthenticated',
    'payload-too-large', 'unsupported-media-type', 'missing-file', 'invalid-video', 'invalid-title', 'invalid-description',
    'storage-unavailable', 'video-not-found', 'video-not-deleted', 'version-mismatch', 'text-too-long', 'text-empty',
    'control-characters', 'playback-out-of-range', 'invalid-mode', 'invalid-color', 'invalid-size', 'banned-word',
    'cooldown', 'rate-limited', 'too-many-requests', 'broker-unavailable', 'video-service-unavailable',
    'sequence-unavailable', 'user-not-found', 'malformed-json', 'invalid-request', 'not-found', 'method-not-allowed',
    'unsupported-media-type', 'not-acceptable', 'service-unavailable', 'internal-error', 'invalid-path', 'bad-gateway',
    'gateway-timeout', 'csrf-rejected', 'origin-not-allowed', 'session-not-found', 'danmaku-not-found',
    'session-check-unavailable', 'too-many-open-uploads',
  ];
  for (const code of codes) {
    assert.ok(api.KNOWN_CODES.includes(code), `no sentence for ${code}`);
    const message = new api.ApiError(400, { code, detail: '{"raw":"json"}' }).message;
    assert.match(message, /^[A-Z].*[.!]$/, `${code}: “${message}” reads like a sentence`);
    assert.doesNotMatch(message, /[{}"]/, `${code} shows no JSON`);
  }
  assert.equal(new api.ApiError(412, { code: 'version-mismatch' }).message,
    'Someone else changed this video in the meantime. Reload it and make your change again.');
  // unknown codes: the server's short detail, else a sentence by status; never a 5xx detail
  assert.equal(new api.ApiError(400, { code: 'brand-new', detail: 'Pick another name.' }).message, 'Pick another name.');
  assert.equal(new api.ApiError(503, { code: 'brand-new', detail: 'java.lang.NullPointerException' }).message,
    'The service is unavailable right now. Please try again shortly.');
  assert.equal(new api.ApiError(0, null).message, 'Cannot reach the server. Check your connection and try again.');
});

test('field errors land next to their field, and Retry-After becomes a wait in seconds', () => {
  assert.equal(api.fieldOf(new api.ApiError(409, { code: 'username-taken' })), 'username');
  assert.equal(api.fieldOf(new api.ApiError(400, { code: 'weak-password' })), 'password');
  assert.equal(api.fieldOf(new api.ApiError(401, { code: 'invalid-credentials' })), 'password');
  assert.equal(api.fieldOf(new api.ApiError(400, { code: 'invalid-request', field: 'title' })), 'title');
  assert.equal(api.fieldOf(new api.ApiError(429, { code: 'too-many-attempts' })), null);
  assert.equal(api.withRetryHint(api.errorMessage(new api.ApiError(429, { code: 'too-many-attempts' })), '30'),
    'Too many login attempts. Try again in 30 seconds.');
  assert.equal(api.withRetryHint('You are sending danmaku too quickly.', null), 'You are sending danmaku too quickly.');
  assert.equal(api.isMissing(new api.ApiError(404, null)), true);
  assert.equal(api.isMissing(new api.ApiError(405, { code: 'method-not-allowed' })), true);
  assert.equal(api.isMissing(new api.ApiError(404, { code: 'video-not-found' })), false);
});

test('every write carries the CSRF header; reads do not need it', async () => {
  const seen = [];
  globalThis.fetch = async (path, init) => {
    seen.push({ path, method: init.method, headers: init.headers });
    return new Response(init.method === 'DELETE' ? null : '{}', { status: init.method === 'DELETE' ? 204 : 200 });
  };
  try {
    await api.getVideo(1);
    await api.sendDanmaku(1, { text: 'hi', playbackMs: 0, mode: 'SCROLL', color: 1 }, 'key-1');
    await api.deleteDanmaku('9');
    await api.updateVideo(1, { title: 't' }, '"v1"');
    await api.logout();
  } finally {
    delete globalThis.fetch;
  }
  assert.equal(seen[0].headers['X-Barrage-Csrf'], undefined);
  for (const write of seen.slice(1)) assert.equal(write.headers['X-Barrage-Csrf'], '1', `${write.method} ${write.path}`);
  assert.equal(seen[1].headers['Idempotency-Key'], 'key-1');
  assert.equal(seen[3].headers['If-Match'], '"v1"');
  assert.equal(seen[3].method, 'PATCH');
});

// ---- tus ------------------------------------------------------------------------------------------

/** A tus server in memory that can drop the connection after some bytes of a PATCH. */
function fakeTusServer({ dropAfter = [], videoId = '321', headerName = 'X-Video-Id' } = {}) {
  const state = { uploads: new Map(), requests: [], drops: [...dropAfter], next: 1 };
  const headers = (map) => ({ get: (name) => map[Object.keys(map).find((k) => k.toLowerCase() === name.toLowerCase())] ?? null });
  state.transport = async ({ method, url, headers: h = {}, body, onUploadProgress }) => {
    state.requests.push({ method, url, headers: h, size: body?.size ?? 0 });
    if (method === 'OPTIONS') return { status: 204, headers: headers({ 'Tus-Resumable': '1.0.0' }) };
    if (method === 'POST') {
      const id = `/api/v1/uploads/u${state.next++}`;
      state.uploads.set(id, { length: Number(h['Upload-Length']), offset: 0, metadata: h['Upload-Metadata'] });
      return { status: 201, headers: headers({ Location: id }) };
    }
    const upload = state.uploads.get(url);
    if (!upload) return { status: 404, headers: headers({}) };
    if (method === 'HEAD') {
      const extra = upload.offset === upload.length ? { [headerName]: videoId } : {};
      return { status: 200, headers: headers({ 'Upload-Offset': String(upload.offset), ...extra }) };
    }
    if (method === 'PATCH') {
      if (Number(h['Upload-Offset']) !== upload.offset) return { status: 409, headers: headers({}) };
      const drop = state.drops.shift();
      if (drop != null) {
        upload.offset += Math.min(drop, body.size); // the server kept what arrived before the drop
        onUploadProgress?.(Math.min(drop, body.size));
        throw new Error('network');
      }
      upload.offset += body.size;
      onUploadProgress?.(body.size);
      const done = upload.offset === upload.length ? { [headerName]: videoId } : {};
      return { status: 204, headers: headers({ 'Upload-Offset': String(upload.offset), ...done }) };
    }
    return { status: 405, headers: headers({}) };
  };
  return state;
}

const blob = (size, name = 'clip.mp4') => ({
  size, name, lastModified: 7,
  slice: (start, end) => ({ size: Math.max(0, Math.min(size, end) - start), start }),
});

test('a tus upload sends chunks, survives dropped connections by asking HEAD, and finds its video', async () => {
  const server = fakeTusServer({ dropAfter: [null, 300] }); // 2nd PATCH dies after 300 bytes
  const states = [];
  const progress = [];
  const sleeps = [];
  const upload = new TusUpload({
    file: blob(2500),
    metadata: { filename: 'clip.mp4', title: 'Ünïcode title', description: '' },
    transport: server.transport,
    chunkSize: 1000,
    sleep: async (ms) => sleeps.push(ms),
    random: () => 0.5,
    onState: (s) => states.push(s),
    onProgress: (sent, total) => progress.push([sent, total]),
  });
  const result = await upload.start();
  assert.equal(result.videoId, '321');
  const methods = server.requests.map((r) => r.method);
  assert.deepEqual(methods, ['POST', 'PATCH', 'PATCH', 'HEAD', 'PATCH', 'PATCH']);
  const offsets = server.requests.filter((r) => r.method === 'PATCH').map((r) => r.headers['Upload-Offset']);
  assert.deepEqual(offsets, ['0', '1000', '1300', '2300'], 'resumed where the server was, not where the client was');
  const create = server.requests[0].headers;
  assert.equal(create['Tus-Resumable'], '1.0.0');
  assert.equal(create['Upload-Length'], '2500');
  assert.equal(create['X-Barrage-Csrf'], '1');
  assert.equal(create['Upload-Metadata'], encodeMetadata({ filename: 'clip.mp4', title: 'Ünïcode title' }));
  assert.equal(Buffer.from(create['Upload-Metadata'].split(',')[1].split(' ')[1], 'base64').toString('utf8'), 'Ünïcode title');
  assert.ok(server.requests.filter((r) => r.method === 'PATCH').every((r) =>
    r.headers['Content-Type'] === 'application/offset+octet-stream' && r.headers['X-Barrage-Csrf'] === '1'));
  assert.ok(states.includes('retrying'));
  assert.equal(states.at(-1), 'done');
  assert.equal(sleeps.length, 1);
  assert.deepEqual(progress.at(-1), [2500, 2500]);
  for (let i = 1; i < progress.length; i++) assert.ok(progress[i][0] >= progress[i - 1][0] - 0, 'progress never jumps back');
});

test('a tus upload backs off longer after each failure and gives up with a clear error', async () => {
  const server = fakeTusServer({ dropAfter: Array(20).fill(0) });
  const sleeps = [];
  const upload = new TusUpload({
    file: blob(10), transport: server.transport, maxRetries: 4, random: () => 1, sleep: async (ms) => sleeps.push(ms),
  });
  await assert.rejects(upload.start(), (e) => e.name === 'TusError' && e.code === 'network');
  assert.deepEqual(sleeps, [500, 1000, 2000, 4000]);
  assert.equal(upload.state, 'failed');
});

test('a tus upload resumes after a reload from the URL it remembered, and forgets it when done', async () => {
  const server = fakeTusServer({ dropAfter: [400] });
  const storage = new MemoryStorage();
  const file = blob(1000);
  const first = new TusUpload({ file, transport: server.transport, storage, maxRetries: 0, sleep: async () => {} });
  await assert.rejects(first.start());
  assert.equal(storage.getItem(first.resumeKey), '/api/v1/uploads/u1');
  const again = new TusUpload({ file, transport: server.transport, storage, sleep: async () => {} });
  const { videoId } = await again.start();
  assert.equal(videoId, '321');
  assert.equal(server.requests.filter((r) => r.method === 'POST').length, 1, 'no second upload was created');
  assert.equal(server.requests.at(-1).headers['Upload-Offset'], '400');
  assert.equal(storage.getItem(first.resumeKey), null);
});

test('the video id is read leniently and tus is only used when the server speaks it', async () => {
  const h = (map) => ({ get: (n) => map[n] ?? null });
  assert.equal(videoIdFrom(h({ 'X-Video-Id': '42' }), null), '42');
  assert.equal(videoIdFrom(h({ Location: '/api/v1/videos/43' }), null), '43');
  assert.equal(videoIdFrom(h({}), { videoId: 44 }), '44');
  assert.equal(videoIdFrom(h({ Location: '/api/v1/uploads/abc' }), null), null);
  assert.equal(await supportsTus(fakeTusServer().transport), true);
  assert.equal(await supportsTus(async () => ({ status: 404, headers: h({}) })), false);
  assert.equal(await supportsTus(async () => { throw new Error('down'); }), false);
  const server = fakeTusServer({ headerName: 'Location', videoId: '/api/v1/videos/55' });
  const { videoId } = await new TusUpload({ file: blob(5), transport: server.transport }).start();
  assert.equal(videoId, '55');
});

// --- login's return path (session.js imports api.js and ui.js, so it is loaded from its file)

const { sameOriginPath } = await import(new URL('session.js', assets));

test('login returns only to a path on this site', () => {
  const origin = 'https://barrage.example';
  assert.equal(sameOriginPath('/watch.html?id=7', origin), '/watch.html?id=7');
  assert.equal(sameOriginPath('/my.html#videos', origin), '/my.html#videos');
  assert.equal(sameOriginPath('/', origin), '/');
  for (const next of [
    null, '', 'watch.html', 'https://evil.example/', '//evil.example/x', '/\\evil.example', '/\\/evil.example',
    '\\\\evil.example', 'javascript:alert(1)', '/\t/evil.example', '/\n/evil.example', ' //evil.example',
    'http:/evil.example', '/%0a/x\u0000',
  ]) {
    assert.equal(sameOriginPath(next, origin), null, JSON.stringify(next));
  }
  // dot segments stay on the site
  assert.equal(sameOriginPath('/a/../../watch.html', origin), '/watch.html');
});
