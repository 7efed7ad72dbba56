// What a viewer's rules cost the page (issue 18): a full rule list (1,000 rules: 900 keywords, 100
// regexes) checked against distinct danmaku texts, and the matcher against a backtracking pattern next to
// the browser engine's own RegExp. Not part of the test run: node gateway/src/test/js/viewer-settings.bench.mjs
const assets = new URL('../../main/resources/static/assets/', import.meta.url);
const { buildFilter } = await import(new URL('danmaku-settings.js', assets));
const { compileRegex } = await import(new URL('safe-regex.js', assets));

const rules = [];
for (let i = 0; i < 900; i++) rules.push({ type: 'keyword', value: `word${i}` });
// regexes as block lists hold them: anchored floods, repeated characters, words with variants
const shapes = ['^2{3,}$', '(?i)spoil(er|s)?', '哈{4,}', '^\\d{6,}$', '^[a-z]+\\s+ahead$', '前方(高能|核能)', 'x.*y.*z', 'cat\\b', '^[!?]{3,}$', '^.{60,}$'];
for (let i = 0; i < 100; i++) rules.push({ type: 'regex', value: `${shapes[i % shapes.length]}${i >= 10 ? `(${i})?` : ''}` });
// the worst kind for the matcher: a class at the start (every position may begin a match)
const unanchored = Array.from({ length: 100 }, (_, i) => ({ type: 'regex', value: `[a-z]+${i}[!?]` }));
const texts = Array.from({ length: 20_000 }, (_, i) => `comment number ${i} with some words 哈哈 ${i % 97}`);

const { accepts, unsupported } = buildFilter({ rules });
if (unsupported.length) throw new Error(`unsupported: ${unsupported}`);
for (const t of texts.slice(0, 2000)) accepts({ text: `warm ${t}`, mode: 'SCROLL', color: 0xffffff });
let started = process.hrtime.bigint();
let blocked = 0;
for (const text of texts) if (!accepts({ text, mode: 'SCROLL', color: 0xffffff })) blocked++;
let ns = Number(process.hrtime.bigint() - started);
console.log(`1,000 rules (100 regex), ${texts.length} distinct texts: ${(ns / texts.length / 1000).toFixed(1)} µs per danmaku (first sight), blocked ${blocked}`);
const recent = texts.slice(-2000);
started = process.hrtime.bigint();
for (const text of recent) accepts({ text, mode: 'SCROLL', color: 0xffffff });
ns = Number(process.hrtime.bigint() - started);
console.log(`recent texts again (cached verdicts, a replay or a repeat): ${(ns / recent.length / 1000).toFixed(2)} µs per danmaku`);
for (const [name, list] of [['900 keywords alone', rules.slice(0, 900)], ['100 regexes alone', rules.slice(900)], ['100 class-first regexes', unanchored]]) {
  const only = buildFilter({ rules: list }, { cacheSize: 1 }).accepts;
  started = process.hrtime.bigint();
  for (const text of texts.slice(0, 5000)) only({ text, mode: 'SCROLL', color: 0xffffff });
  console.log(`${name}: ${(Number(process.hrtime.bigint() - started) / 5000 / 1000).toFixed(1)} µs per danmaku`);
}

for (const n of [20, 24, 26]) {
  const text = 'a'.repeat(n);
  let t0 = process.hrtime.bigint();
  /(a|a)*b/.test(text);
  const native = Number(process.hrtime.bigint() - t0) / 1e6;
  t0 = process.hrtime.bigint();
  compileRegex('(a|a)*b').test(text);
  const safe = Number(process.hrtime.bigint() - t0) / 1e6;
  console.log(`/(a|a)*b/ on ${n} a's: RegExp ${native.toFixed(1)} ms, safe-regex ${safe.toFixed(2)} ms`);
}
const long = 'a'.repeat(100);
const t0 = process.hrtime.bigint();
compileRegex('(a|a)*b').test(long);
console.log(`/(a|a)*b/ on 100 a's (a danmaku's longest text): safe-regex ${(Number(process.hrtime.bigint() - t0) / 1e6).toFixed(2)} ms (RegExp: ~2^100 steps, never returns)`);
