// Issue 18, on the client: the linear-time regex matcher, what a viewer's rules and switches let through,
// merged repeats (×N) in the renderer, the display area, and bilibili's rule file.
// Run with: node --test gateway/src/test/js
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';

const assets = new URL('../../main/resources/static/assets/', import.meta.url);
// these import each other, so they are loaded from their files where the relative imports resolve
const { compileRegex } = await import(new URL('safe-regex.js', assets));
const settingsModule = await import(new URL('danmaku-settings.js', assets));
const {
  buildFilter, RepeatMerger, sanitize, layerBottom, parseBilibili, exportBilibili, addRules, loadLocal, saveLocal,
  ruleProblem, LIMITS, STORAGE_KEY, DEFAULTS,
} = settingsModule;

// ---- the matcher ----------------------------------------------------------------------------------

test('regex rules match as RE2 would: anywhere in the text, with classes, repeats, anchors and flags', () => {
  const cases = [
    ['0+.1', '10001', true], ['0+.1', '11', false],
    ['^(哈){4,}$', '哈哈哈哈哈', true], ['^(哈){4,}$', '哈哈哈', false],
    ['^2{3,}$', '2222', true], ['^2{3,}$', '2333', false],
    ['(?i)spoil', 'Big SPOILER', true], ['a(?i:b)c', 'aBc', true], ['a(?i:b)c', 'aBC', false],
    ['\\bcat\\b', 'a cat here', true], ['\\bcat\\b', 'concatenate', false],
    ['[^a-c]x', 'bx', false], ['[^a-c]x', 'dx', true], ['\\d{2,3}', 'a1b', false], ['\\d{2,3}', 'a12b', true],
    ['colou?r', 'color', true], ['\\p{Han}+', 'abc汉字', true], ['\\p{Han}', 'abc', false],
    ['a|b|c', 'zzc', true], ['.', '\n', false], ['(?s).', '\n', true], ['\\.', 'a', false], ['x{2', 'x{2', true],
  ];
  for (const [pattern, text, expected] of cases) {
    assert.equal(compileRegex(pattern).test(text), expected, `/${pattern}/ on "${text}"`);
  }
});

test('a pattern that makes a backtracking engine run for ever answers at once', () => {
  const evil = [['(a|a)*b', 'a'.repeat(20_000)], ['(x+x+)+y', 'x'.repeat(20_000)], ['(a*)*$', `${'a'.repeat(20_000)}!`]];
  for (const [pattern, text] of evil) {
    const started = process.hrtime.bigint();
    compileRegex(pattern).test(text);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.ok(ms < 2000, `/${pattern}/ took ${ms} ms on ${text.length} characters`);
  }
});

test('what RE2 refuses, or this matcher cannot run, is a SyntaxError, never a silent mismatch', () => {
  for (const pattern of ['(unclosed', 'a(?=b)', '(a)\\1', '[[:alpha:]]', '*a', 'a**', 'x{1001}', '\\Qa\\E', '[z-a]', 'a)', '']) {
    assert.throws(() => compileRegex(pattern), SyntaxError, pattern);
  }
  assert.throws(() => compileRegex('a'.repeat(201)), SyntaxError, 'longer than a rule may be');
  assert.match(ruleProblem('regex', '(unclosed'), /Not a regular expression/);
  assert.equal(ruleProblem('regex', '^2{3,}$'), null);
});

// ---- rules and switches ---------------------------------------------------------------------------

const item = (text, extra = {}) => ({ id: text, text, mode: 'SCROLL', color: 0xffffff, senderId: 7, ...extra });

test('keyword, regex and user rules hide what they match; disabled rules and your own danmaku do not', () => {
  const { accepts } = buildFilter({
    rules: [
      { type: 'keyword', value: 'Spoiler' },
      { type: 'regex', value: '^2{3,}$' },
      { type: 'user', value: '13' },
      { type: 'keyword', value: 'boring', enabled: false },
    ],
  });
  assert.equal(accepts(item('no SPOILERS please')), false);
  assert.equal(accepts(item('2222')), false);
  assert.equal(accepts(item('2333')), true);
  assert.equal(accepts(item('hello', { senderId: 13 })), false);
  assert.equal(accepts(item('hello', { senderId: '13' })), false, 'ids compare as strings');
  assert.equal(accepts(item('so boring')), true, 'a disabled rule is kept, not applied');
  assert.equal(accepts(item('spoiler of my own', { own: true })), true);
});

test('hidden modes and coloured danmaku are left out, history and live alike', () => {
  const { accepts } = buildFilter({ hiddenModes: ['TOP', 'bottom'], hideColored: true });
  assert.equal(accepts(item('a', { mode: 'TOP' })), false);
  assert.equal(accepts(item('a', { mode: 'BOTTOM' })), false);
  assert.equal(accepts(item('a', { mode: 'SCROLL' })), true);
  assert.equal(accepts(item('a', { color: 0xff0000 })), false);
});

test('a regex this page cannot run is reported and skipped, the other rules still apply', () => {
  const { accepts, unsupported } = buildFilter({ rules: [{ type: 'regex', value: '[[:alpha:]]' }, { type: 'keyword', value: 'x' }] });
  assert.deepEqual(unsupported, ['[[:alpha:]]']);
  assert.equal(accepts(item('xyz')), false);
  assert.equal(accepts(item('abc')), true);
});

test('settings are bounded like the server bounds them, and odd values fall back to the defaults', () => {
  const many = Array.from({ length: 1500 }, (_, i) => ({ type: 'keyword', value: `w${i}` }));
  assert.equal(sanitize({ rules: many }).rules.length, LIMITS.maxRules);
  const odd = sanitize({
    rules: [{ type: 'keyword', value: 'x'.repeat(201) }, { type: 'colour', value: 'red' }, { type: 'user', value: 'not an id!' },
      { type: 'keyword', value: 'ok' }, { type: 'keyword', value: 'OK' }],
    displayArea: 60, speed: 9, fontScale: 'big', opacity: 0, hiddenModes: ['SIDEWAYS', 'top'],
  });
  assert.deepEqual(odd.rules, [{ type: 'keyword', value: 'ok', enabled: true }]);
  assert.equal(odd.displayArea, 100);
  assert.equal(odd.speed, 1);
  assert.equal(odd.fontScale, 1);
  assert.equal(odd.opacity, 1);
  assert.deepEqual(odd.hiddenModes, ['TOP']);
  const full = addRules({ rules: many.slice(0, 1000) }, [{ type: 'keyword', value: 'one more' }]);
  assert.equal(full.added, 0);
  assert.equal(full.settings.rules.length, 1000);
});

test('the display area and the subtitle margin move the overlay\'s bottom edge up', () => {
  assert.equal(layerBottom({ displayArea: 100 }), 0);
  assert.equal(layerBottom({ displayArea: 50 }), 50);
  assert.equal(layerBottom({ displayArea: 25 }), 75);
  assert.equal(layerBottom({ displayArea: 100, subtitleSafe: true }), 15);
  assert.equal(layerBottom({ displayArea: 50, subtitleSafe: true }), 50, 'already clear');
});

// ---- merging repeats ------------------------------------------------------------------------------

test('the same text within a few seconds counts into the first one; later it leads again', () => {
  const merger = new RepeatMerger({ windowMs: 5000 });
  assert.equal(merger.absorb(item('233', { id: 'a' }), 0), null);
  assert.deepEqual(merger.absorb(item(' 233 ', { id: 'b' }), 1000), { id: 'a', at: 0, count: 2 });
  assert.equal(merger.absorb(item('233', { id: 'c' }), 4000).count, 3);
  assert.equal(merger.absorb(item('2333', { id: 'd' }), 4000), null, 'another text');
  assert.equal(merger.absorb(item('233', { id: 'e' }), 6000), null, 'past the window: a new lead');
  merger.reset();
  assert.equal(merger.absorb(item('233', { id: 'f' }), 6100), null);
});

// The renderer with merging on, against a minimal DOM.
class FakeNode {
  constructor(tag) {
    Object.assign(this, { tag, children: [], parent: null, dataset: {}, style: {}, className: '', textContent: '' });
    const node = this;
    this.classList = {
      add: (c) => { node.className = `${node.className} ${c}`.trim(); },
      toggle: () => {},
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
globalThis.document = { createElement: (tag) => new FakeNode(tag), createDocumentFragment: () => new FakeNode('#fragment') };
globalThis.requestAnimationFrame = (fn) => frames.push(fn);
globalThis.cancelAnimationFrame = () => {};
globalThis.ResizeObserver = class { observe() {} disconnect() {} };
const { DanmakuEngine } = await import(
  `data:text/javascript;charset=utf-8,${encodeURIComponent(readFileSync(new URL('danmaku.js', assets), 'utf8'))}`
);

// every engine queues its frames in one list; a test's run() advances them all (each its own video)
function engineAt(layerHeight = 720, pictureHeight = 720) {
  const video = { currentTime: 0, paused: false, ended: false, seeking: false, readyState: 4, playbackRate: 1, addEventListener() {}, removeEventListener() {} };
  const picture = new FakeNode('div');
  picture.clientHeight = pictureHeight;
  const layer = new FakeNode('div');
  layer.parentElement = picture;
  layer.clientWidth = 1280;
  layer.clientHeight = layerHeight;
  const engine = new DanmakuEngine(video, layer);
  let ts = 0;
  const run = (ms) => {
    for (let t = 0; t < ms; t += 16) {
      if (!video.paused) video.currentTime += 0.016;
      ts += 16;
      const pending = frames;
      frames = [];
      pending.forEach((fn) => fn(ts));
    }
  };
  return { engine, layer, run };
}

const dm = (id, playbackMs, text, extra = {}) => ({ id, seq: Number(id), text, playbackMs, ...extra });

test('with merging on, repeats from history and live show once, with ×N', () => {
  frames = [];
  const { engine, layer, run } = engineAt();
  engine.setMerger(new RepeatMerger());
  engine.load([dm('1', 0, '233'), dm('2', 500, '233'), dm('3', 800, 'hello'), dm('4', 1000, '233 ')]);
  run(1200);
  engine.addLive(dm('5', 1200, '233'));
  engine.addLive(dm('6', 1200, 'mine 233'), { own: true });
  run(100);
  const texts = layer.children.map((n) => n.textContent).sort();
  assert.deepEqual(texts, ['233 ×4', 'hello', 'mine 233']);
  assert.equal(engine.onScreen().find((d) => d.id === '1').count, 4);
  // without merging every one shows
  const plain = engineAt();
  plain.engine.load([dm('1', 0, '233'), dm('2', 500, '233')]);
  plain.run(700);
  assert.equal(plain.layer.children.length, 2);
});

test('speed shortens the crossing, font size scales the text, and a smaller area keeps the text size', () => {
  frames = [];
  const { engine, layer, run } = engineAt(180, 720); // a quarter of the picture
  const full = engineAt(720, 720);
  for (const e of [engine, full.engine]) e.load([dm('1', 0, 'hi')]);
  run(32);
  assert.equal(layer.children[0].style.fontSize, full.layer.children[0].style.fontSize);
  assert.ok(engine.scrollLanes.length < full.engine.scrollLanes.length, 'fewer lanes in a smaller area');
  engine.setSpeed(2);
  assert.equal(engine.scrollMs, 4000);
  engine.setFontScale(2);
  engine.load([dm('2', 100, 'big')]);
  run(100);
  const big = layer.children.find((n) => n.dataset.id === '2');
  assert.equal(Number.parseInt(big.style.fontSize, 10), 2 * Number.parseInt(full.layer.children[0].style.fontSize, 10));
});

// ---- bilibili's rule file and this browser's copy -----------------------------------------------

test('a bilibili block list imports as typed rules and exports back in its format', () => {
  const sample = JSON.parse(
    readFileSync(new URL('../../../../user-service/src/test/resources/bilibili-block-rules.json', import.meta.url), 'utf8'),
  );
  const { rules, problems } = parseBilibili(sample);
  assert.deepEqual(problems, []);
  assert.deepEqual(rules.map((r) => `${r.type}:${r.value}:${r.enabled}`), [
    'keyword:剧透:true', 'keyword:tony:true', 'regex:0+.1:true', 'regex:^(哈){4,}$:true', 'user:e1a8d4b2:true',
    'keyword:前方高能:false',
  ]);
  assert.deepEqual(exportBilibili(rules).map((e) => [e.type, e.filter, e.opened]), sample.map((e) => [e.type, e.filter.replace(/^\/(.*)\/$/, '$1'), e.opened]));
  const bad = parseBilibili([{ type: 1, filter: 'a(?=b)', opened: true }, { type: 0, filter: 'fine', opened: true }]);
  assert.equal(bad.rules.length, 1);
  assert.match(bad.problems[0], /^Rule 1:/);
  assert.deepEqual(parseBilibili({ rule: [{ type: 0, filter: 'ads' }] }).rules, [{ type: 'keyword', value: 'ads', enabled: true }]);
});

test('an anonymous viewer\'s settings survive a reload, and the old keyword list carries over once', () => {
  const map = new Map();
  const storage = { getItem: (k) => (map.has(k) ? map.get(k) : null), setItem: (k, v) => map.set(k, String(v)) };
  assert.deepEqual(loadLocal(storage), sanitize(DEFAULTS));
  map.set('barrage.danmaku.settings.v1', JSON.stringify({ visible: true, density: 1, opacity: 0.4, blocked: ['spoiler'] }));
  const migrated = loadLocal(storage);
  assert.deepEqual(migrated.rules, [{ type: 'keyword', value: 'spoiler', enabled: true }]);
  assert.equal(migrated.opacity, 0.4);
  saveLocal({ ...migrated, displayArea: 25 }, storage);
  assert.equal(loadLocal(storage).displayArea, 25);
  map.set(STORAGE_KEY, '{broken');
  assert.deepEqual(loadLocal(storage), sanitize(null));
});
