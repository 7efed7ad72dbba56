// The client logic of acting on a danmaku and of the density curve and hot moments.
// Run with: node --test gateway/src/test/js
import { test } from 'node:test';
import assert from 'node:assert/strict';

const assets = new URL('../../main/resources/static/assets/', import.meta.url);
const actions = await import(new URL('danmaku-actions.js', assets));
const density = await import(new URL('density.js', assets));

const idMintedAt = (ms) => String((BigInt(ms - Date.parse('2026-01-01T00:00:00Z')) << 22n) | 5n);

test('a sender may recall their own danmaku for two minutes after sending it, nobody else ever', () => {
  const now = Date.parse('2026-12-02T12:00:00Z');
  const fresh = { id: idMintedAt(now - 60_000), senderId: 42 };
  const stale = { id: idMintedAt(now - 121_000), senderId: 42 };
  assert.equal(actions.mintedAtMs(fresh.id), now - 60_000);
  assert.equal(actions.canRecall(fresh, 42, now), true);
  assert.equal(actions.canRecall(fresh, '42', now), true);
  assert.equal(actions.canRecall(fresh, 43, now), false);
  assert.equal(actions.canRecall(fresh, null, now), false);
  assert.equal(actions.canRecall(stale, 42, now), false);
  assert.equal(actions.mintedAtMs('not-an-id'), null);
});

test('likes read as a count, and past the threshold a danmaku is highly liked', () => {
  assert.equal(actions.likeText(0), '♡');
  assert.equal(actions.likeText(12), '♥ 12');
  assert.equal(actions.isHighlyLiked(9, 10), false);
  assert.equal(actions.isHighlyLiked(10, 10), true);
  assert.equal(actions.isHighlyLiked(10, 0), false);
  assert.deepEqual(actions.REPORT_REASONS.map(([v]) => v), ['spam', 'abuse', 'spoiler', 'off-topic', 'other']);
});

test('the curve is an area scaled to its peak over the whole video, and nothing when there is no danmaku', () => {
  assert.equal(density.curvePath([], 5000, 60_000), '');
  assert.equal(density.curvePath([0, 0], 5000, 60_000), '');
  const d = density.curvePath([2, 4], 5000, 20_000, 1000, 100);
  assert.equal(d, 'M0,100 L0.0,50.0 L250.0,50.0 L250.0,0.0 L500.0,0.0 L500.0,100 Z');
});

test('moments sit at their peak on the bar and the best ones come first', () => {
  const moments = [
    { startMs: 55_000, peakMs: 60_000, danmaku: 13, label: '前方高能' },
    { startMs: 145_000, peakMs: 150_000, danmaku: 20, label: '' },
    { startMs: 900_000, peakMs: 905_000, danmaku: 50, label: 'past the end' },
  ];
  const placed = density.placeMoments(moments, 300_000);
  assert.deepEqual(placed.map((m) => [m.leftPct, m.text]), [[20, '前方高能'], [50, '20 danmaku']]);
  assert.deepEqual(density.placeMoments(moments, 0), []);
  const best = density.bestFirst(placed);
  assert.deepEqual(best.map((m) => m.startMs), [145_000, 55_000]);
  assert.equal(density.nextBest(best, -1), 0);
  assert.equal(density.nextBest(best, 0), 1);
  assert.equal(density.nextBest(best, 1), 0);
  assert.equal(density.nextBest([], -1), -1);
});
