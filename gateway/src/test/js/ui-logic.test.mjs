// Pure logic of the web UI (gateway/src/main/resources/static/assets), run with: node --test gateway/src/test/js
// The browser modules are plain ES modules with a .js suffix; loading them through a data: URL lets
// Node treat them as modules without a package.json in the served folder.
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';

const assets = new URL('../../main/resources/static/assets/', import.meta.url);
const load = (name) =>
  import(`data:text/javascript;charset=utf-8,${encodeURIComponent(readFileSync(new URL(name, assets), 'utf8'))}`);

const {
  Timeline, normalize, scrollSpeed, scrollLaneFits, allocateScrollLane, allocateFixedLane, SCROLL_MS, cssColor, isDark,
} = await load('danmaku.js');
const { backoffDelay, parseFrame, LiveConnection } = await load('live.js');

const W = 1000;
const comment = (start, width) => ({ start, width, speed: scrollSpeed(W, width, SCROLL_MS) });

// Samples both comments' positions over time and reports whether their boxes ever intersect.
function everOverlap(a, b) {
  for (let t = Math.max(a.start, b.start); t <= Math.min(a.start, b.start) + SCROLL_MS; t += 5) {
    const ax = W - a.speed * (t - a.start);
    const bx = W - b.speed * (t - b.start);
    if (ax < bx + b.width && bx < ax + a.width) return true;
  }
  return false;
}

test('a comment may follow in the same lane only once it can never touch the one before', () => {
  const first = comment(0, 200);
  assert.equal(scrollLaneFits(null, comment(0, 100), W), true);
  assert.equal(scrollLaneFits(first, comment(100, 100), W), false, 'tail of the first has not entered yet');
  // A much longer (so faster) comment that enters soon after would catch up: must not share the lane.
  const fastLate = comment(2000, 900);
  assert.equal(scrollLaneFits(first, fastLate, W), false);
  assert.equal(everOverlap(first, fastLate), true);
  // A short (slower) comment can follow right after the gap.
  const slowFollower = comment(1700, 50);
  assert.equal(scrollLaneFits(first, slowFollower, W), true);
  assert.equal(everOverlap(first, slowFollower), false);
});

test('whenever the lane check says it fits, the two comments never overlap on screen', () => {
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  let checked = 0;
  for (let i = 0; i < 2000; i++) {
    const a = comment(0, 20 + random() * 600);
    const b = comment(random() * SCROLL_MS, 20 + random() * 600);
    if (scrollLaneFits(a, b, W, SCROLL_MS, 0)) {
      checked++;
      assert.equal(everOverlap(a, b), false, `overlap for ${JSON.stringify({ a, b })}`);
    }
  }
  assert.ok(checked > 100, `only ${checked} fitting pairs sampled`);
});

test('concurrent comments take different lanes, top first, and none is ever dropped', () => {
  const lanes = [null, null, null];
  const placed = [];
  for (let i = 0; i < 4; i++) {
    const next = comment(i * 10, 300);
    const { lane, overlap } = allocateScrollLane(lanes, next, W);
    lanes[lane] = next;
    placed.push([lane, overlap]);
  }
  assert.deepEqual(placed, [[0, false], [1, false], [2, false], [0, true]]);
  // Later, lane 0 is free again and is chosen first.
  assert.deepEqual(allocateScrollLane(lanes, comment(4000, 100), W), { lane: 0, overlap: false });
});

test('top and bottom lanes are reused once their comment has gone', () => {
  const lanes = [0, 0];
  assert.deepEqual(allocateFixedLane(lanes, 1000), { lane: 0, overlap: false });
  lanes[0] = 5000;
  assert.deepEqual(allocateFixedLane(lanes, 1500), { lane: 1, overlap: false });
  lanes[1] = 5500;
  assert.deepEqual(allocateFixedLane(lanes, 2000), { lane: 0, overlap: true });
  assert.deepEqual(allocateFixedLane(lanes, 5000), { lane: 0, overlap: false });
});

test('the timeline keeps playback order, de-duplicates by id and finds a window', () => {
  const t = new Timeline();
  const d = (id, playbackMs, seq) => normalize({ id, playbackMs, seq, text: `t${id}` });
  assert.equal(t.addAll([d('3', 3000, 3), d('1', 1000, 1), d('2', 1000, 2)]), 3);
  assert.equal(t.add(d('2', 1000, 2)), false, 'same id from the live socket');
  assert.equal(t.add(d('9007199254740993', 2000, 4)), true);
  assert.equal(t.addAll([d('1', 1000, 1), d('5', 500, 5)]), 1);
  assert.deepEqual(t.items.map((i) => i.id), ['5', '1', '2', '9007199254740993', '3']);
  assert.deepEqual([...t.between(500, 2000)].map((i) => i.id), ['1', '2', '9007199254740993']);
  assert.deepEqual([...t.between(-1, 0)], []);
  assert.equal(t.maxSeq, 5);
});

test('normalize keeps Snowflake ids as strings and falls back to defaults', () => {
  const item = normalize({ id: '1234567890123456789', text: 'hi', playbackMs: 12, mode: 'top', color: 255 });
  assert.equal(item.id, '1234567890123456789');
  assert.equal(item.mode, 'TOP');
  assert.equal(cssColor(item.color), '#0000ff');
  const odd = normalize({ id: 1, text: 'x', mode: 'SIDEWAYS', color: -3, size: 'HUGE' });
  assert.deepEqual([odd.mode, odd.color, odd.size, odd.playbackMs], ['SCROLL', 0xffffff, 'NORMAL', 0]);
  assert.equal(normalize({ id: 1 }), null);
  assert.equal(isDark(0x000000), true);
  assert.equal(isDark(0xffffff), false);
});

test('reconnect delays grow exponentially with jitter and are capped', () => {
  assert.equal(backoffDelay(0, { random: () => 0 }), 250);
  assert.equal(backoffDelay(0, { random: () => 1 }), 500);
  assert.equal(backoffDelay(3, { random: () => 0 }), 2000);
  assert.equal(backoffDelay(50, { random: () => 1 }), 30000);
  assert.equal(parseFrame('{"type":"online","count":3}').count, 3);
  assert.equal(parseFrame('not json'), null);
  assert.equal(parseFrame('[1]'), null);
});

test('the live connection reconnects after a close, reports it, and asks for what it missed', () => {
  const sockets = [];
  class FakeSocket {
    constructor(url) {
      this.url = url;
      sockets.push(this);
    }
    close() {}
  }
  const timers = [];
  const states = [];
  const frames = [];
  let reconnected = 0;
  const live = new LiveConnection({
    url: (reconnect) => (reconnect ? 'ws://x/ws?since=7' : 'ws://x/ws'),
    WebSocketImpl: FakeSocket,
    // the silence watchdog's timers (15 s) are not the backoff under test here
    timers: {
      setTimeout: (fn, ms) => (ms === 15000 ? 0 : timers.push({ fn, ms }) && timers.length),
      clearTimeout: () => {},
    },
    random: () => 0,
    onState: (s) => states.push(s),
    onFrame: (f) => frames.push(f),
    onReconnected: () => reconnected++,
  }).start();
  sockets[0].onopen();
  sockets[0].onmessage({ data: '{"type":"danmaku","items":[]}' });
  sockets[0].onclose();
  assert.deepEqual(states, ['connecting', 'open', 'reconnecting']);
  assert.equal(timers[0].ms, 250);
  timers[0].fn();
  assert.equal(sockets[1].url, 'ws://x/ws?since=7');
  sockets[1].onclose(); // refused: back off longer
  assert.equal(timers[1].ms, 500);
  timers[1].fn();
  sockets[2].onopen();
  assert.equal(reconnected, 1);
  assert.equal(states.at(-1), 'open');
  assert.equal(frames.length, 1);
  live.close();
  assert.equal(states.at(-1), 'closed');
});

test('a live connection that hears nothing for 15 s is replaced and resumes with since', () => {
  const sockets = [];
  class FakeSocket {
    constructor(url) {
      this.url = url;
      this.closed = null;
      sockets.push(this);
    }
    close(code) {
      this.closed = code;
    }
  }
  let clock = 0;
  const pending = [];
  const states = [];
  new LiveConnection({
    url: (reconnect) => (reconnect ? 'ws://x/ws?since=3' : 'ws://x/ws'),
    WebSocketImpl: FakeSocket,
    timers: {
      setTimeout: (fn, ms) => pending.push({ fn, at: clock + ms }),
      clearTimeout: (id) => {
        if (pending[id - 1]) pending[id - 1].fn = () => {};
      },
    },
    now: () => clock,
    random: () => 0,
    onState: (s) => states.push(s),
  }).start();
  const runUntil = (t) => {
    clock = t;
    for (const timer of pending.filter((p) => p.at <= t)) {
      pending.splice(pending.indexOf(timer), 1, { fn: () => {}, at: Infinity });
      timer.fn();
    }
  };
  sockets[0].onopen();
  clock = 10000;
  sockets[0].onmessage({ data: '{"type":"online","count":1}' }); // heard at 10 s
  runUntil(15000); // 5 s of silence only: kept
  assert.equal(sockets[0].closed, null);
  assert.equal(sockets.length, 1);
  runUntil(25000); // 15 s of silence: replaced without waiting for a close event
  assert.equal(sockets[0].closed, 4000);
  assert.equal(states.at(-1), 'reconnecting');
  runUntil(26000); // the backoff (250 ms) has run
  assert.equal(sockets.length, 2);
  assert.equal(sockets[1].url, 'ws://x/ws?since=3');
  sockets[0].onclose(); // a late close of the old socket changes nothing
  assert.equal(sockets.length, 2);
});
