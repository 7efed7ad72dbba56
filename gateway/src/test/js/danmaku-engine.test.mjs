// The danmaku renderer driven frame by frame against a minimal stand-in for the DOM and <video>:
// what is on screen after play, pause, seek, live arrival and the POST/live race.
// Run with: node --test gateway/src/test/js
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';

const assets = new URL('../../main/resources/static/assets/', import.meta.url);
const { DanmakuEngine } = await import(
  `data:text/javascript;charset=utf-8,${encodeURIComponent(readFileSync(new URL('danmaku.js', assets), 'utf8'))}`
);

class FakeNode {
  constructor(tag) {
    this.tag = tag;
    this.children = [];
    this.parent = null;
    this.dataset = {};
    this.style = {};
    this.className = '';
    this.textContent = '';
    const node = this;
    this.classList = {
      add: (c) => { if (!node.className.split(' ').includes(c)) node.className = `${node.className} ${c}`.trim(); },
      toggle: (c, on) => (on ? node.classList.add(c) : (node.className = node.className.split(' ').filter((x) => x !== c).join(' '))),
      contains: (c) => node.className.split(' ').includes(c),
    };
  }
  get offsetWidth() { return this.textContent.length * 20; }
  append(...nodes) {
    for (const n of nodes) {
      if (n.tag === '#fragment') { this.append(...n.children); n.children = []; continue; }
      n.parent = this;
      this.children.push(n);
    }
  }
  remove() {
    if (!this.parent) return;
    this.parent.children = this.parent.children.filter((c) => c !== this);
    this.parent = null;
  }
}

let frames = [];
globalThis.document = {
  createElement: (tag) => new FakeNode(tag),
  createDocumentFragment: () => new FakeNode('#fragment'),
};
globalThis.requestAnimationFrame = (fn) => frames.push(fn);
globalThis.cancelAnimationFrame = () => {};
globalThis.ResizeObserver = class { observe() {} disconnect() {} };

function setup() {
  frames = [];
  const listeners = {};
  const video = {
    currentTime: 0, paused: true, ended: false, seeking: false, readyState: 4, playbackRate: 1,
    addEventListener: (type, fn) => (listeners[type] ??= []).push(fn),
    removeEventListener: () => {},
    fire: (type) => (listeners[type] ?? []).forEach((fn) => fn()),
  };
  const layer = new FakeNode('div');
  layer.clientWidth = 1280;
  layer.clientHeight = 720;
  const engine = new DanmakuEngine(video, layer);
  let ts = 0;
  // Advances wall time and the video together, one 16 ms frame at a time.
  const run = (ms) => {
    for (let elapsed = 0; elapsed < ms; elapsed += 16) {
      if (!video.paused) video.currentTime += 0.016;
      ts += 16;
      const pending = frames;
      frames = [];
      pending.forEach((fn) => fn(ts));
    }
  };
  const onScreen = () => layer.children.map((n) => n.dataset.id);
  const seek = (seconds) => {
    video.seeking = true;
    video.currentTime = seconds;
    video.fire('seeking');
    run(32);
    video.seeking = false;
    video.fire('seeked');
  };
  return { video, layer, engine, run, onScreen, seek };
}

const d = (id, playbackMs, extra = {}) => ({ id, seq: Number(id), text: `comment ${id}`, playbackMs, ...extra });

test('history shows each comment at its playback time, then removes it after its duration', () => {
  const { video, engine, run, onScreen, layer } = setup();
  engine.load([d('1', 0), d('2', 1000), d('3', 3000, { mode: 'TOP' })]);
  run(32);
  assert.deepEqual(onScreen(), ['1'], 'the comment at 0 ms is there before play');
  video.paused = false;
  run(1100);
  assert.deepEqual(onScreen(), ['1', '2']);
  run(2000);
  assert.deepEqual(onScreen(), ['1', '2', '3']);
  const top = layer.children.find((n) => n.dataset.id === '3');
  assert.equal(top.textContent, 'comment 3');
  assert.equal(top.dataset.seq, '3');
  assert.ok(top.className.includes('danmaku-top'));
  run(5500); // t ≈ 8.6 s: #1 (8 s) and #3 (4 s) are gone, #2 still crossing
  assert.deepEqual(onScreen(), ['2']);
});

test('scrolling comments move right to left and freeze while the video is paused', () => {
  const { video, engine, run, layer } = setup();
  engine.load([d('1', 100)]);
  video.paused = false;
  run(300);
  const node = layer.children[0];
  const x = () => Number(/translate3d\((-?[\d.]+)px/.exec(node.style.transform)[1]);
  const x1 = x();
  run(1000);
  const x2 = x();
  assert.ok(x2 < x1 - 100, `moved left: ${x1} → ${x2}`);
  video.paused = true;
  run(1000);
  assert.equal(x(), x2, 'paused: no movement');
});

test('concurrent scrolling comments get different lanes', () => {
  const { video, engine, run, layer } = setup();
  engine.load([d('1', 100), d('2', 110), d('3', 120)]);
  video.paused = false;
  run(200);
  const tops = layer.children.map((n) => n.style.top);
  assert.equal(new Set(tops).size, 3, `lanes ${tops}`);
});

test('a seek clears the screen and shows what is on screen at the new position; seeking back replays', () => {
  const { video, engine, run, onScreen, seek } = setup();
  engine.load([d('1', 1000), d('2', 20000), d('3', 30000)]);
  video.paused = false;
  run(1200);
  assert.deepEqual(onScreen(), ['1']);
  seek(22);
  run(32);
  assert.deepEqual(onScreen(), ['2'], '#2 started 2 s earlier and is mid-flight');
  seek(0.5);
  run(700);
  assert.deepEqual(onScreen(), ['1'], 'replayed after seeking back');
});

test('a live comment shows at once, only once, and replays after a seek back', () => {
  const { video, engine, run, onScreen, seek, layer } = setup();
  video.paused = false;
  run(5000);
  assert.equal(engine.addLive(d('42', 5000)), true);
  assert.equal(engine.addLive(d('42', 5000)), false, 'duplicate frame');
  run(32);
  assert.deepEqual(onScreen(), ['42']);
  // The sender's POST answer for the same id arrives after the live frame: still one element, marked as own.
  assert.equal(engine.addLive(d('42', 5000), { own: true }), false);
  run(32);
  assert.deepEqual(onScreen(), ['42']);
  assert.ok(layer.children[0].className.includes('danmaku-own'));
  run(9000);
  assert.deepEqual(onScreen(), []);
  seek(4.9);
  run(300);
  assert.deepEqual(onScreen(), ['42']);
  assert.equal(engine.count, 1);
});

test('user text is set as text, never parsed as markup', () => {
  const { engine, run, layer } = setup();
  engine.addLive(d('7', 0, { text: '<img src=x onerror=alert(1)>' }));
  run(32);
  assert.equal(layer.children[0].textContent, '<img src=x onerror=alert(1)>');
  assert.equal(layer.children[0].innerHTML, undefined);
});

test('a deleted danmaku leaves the screen and the timeline at once', () => {
  const { video, engine, run, onScreen } = setup();
  engine.load([d('1', 0), d('2', 0)]);
  video.paused = false;
  run(100);
  assert.deepEqual(onScreen(), ['1', '2']);
  assert.equal(engine.remove(['2', '99']), 1);
  assert.deepEqual(onScreen(), ['1']);
  assert.equal(engine.count, 1);
  assert.deepEqual(engine.onScreen().map((i) => i.id), ['1']);
  // a live frame that arrives after the delete cannot bring it back on screen twice
  engine.addLive(d('3', 0));
  engine.remove(['3']);
  run(32);
  assert.deepEqual(onScreen(), ['1']);
});

test('blocked keywords keep comments off the screen, and a new block removes those showing', () => {
  const { video, engine, run, onScreen } = setup();
  engine.setFilter((item) => !item.text.includes('spoiler'));
  engine.load([d('1', 0), d('2', 0, { text: 'big spoiler ahead' })]);
  video.paused = false;
  run(100);
  assert.deepEqual(onScreen(), ['1']);
  engine.setFilter((item) => !item.text.includes('comment'));
  assert.deepEqual(onScreen(), []);
});

test('at a lower density, scrolling comments that find no free lane are dropped instead of piled up', () => {
  const { video, engine, run, onScreen, layer } = setup();
  const burst = Array.from({ length: 40 }, (_, i) => d(String(i + 1), 100));
  engine.setDensity(0.25);
  engine.load(burst);
  video.paused = false;
  run(150);
  const lanes = new Set(layer.children.map((n) => n.style.top));
  assert.ok(onScreen().length <= lanes.size, 'one comment per lane');
  assert.ok(lanes.size <= Math.round(Math.floor(720 / engine.laneHeight) * 0.25));
  engine.setOpacity(0.5);
  assert.equal(layer.style.opacity, '0.5');
});
