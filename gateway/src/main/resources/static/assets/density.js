// The density curve drawn on the seek bar and the labelled hot moments: markers on the bar with their
// words, a row of "best moments" to jump to. The pure parts (path, positions, order) touch no DOM.

import { api } from './api.js';
import { el, formatDuration } from './ui.js';

const SVG = 'http://www.w3.org/2000/svg';

/** An SVG path (viewBox 0 0 width height) of the counts as a filled area, or '' when there is nothing. */
export function curvePath(counts, bucketMs, durationMs, width = 1000, height = 100) {
  const peak = Math.max(0, ...counts);
  const total = durationMs > 0 ? durationMs : counts.length * bucketMs;
  if (!peak || !total) return '';
  const x = (ms) => Math.min(width, (ms / total) * width).toFixed(1);
  const y = (c) => (height - (c / peak) * height).toFixed(1);
  let d = `M0,${height}`;
  counts.forEach((c, i) => {
    d += ` L${x(i * bucketMs)},${y(c)} L${x((i + 1) * bucketMs)},${y(c)}`;
  });
  return `${d} L${x(counts.length * bucketMs)},${height} Z`;
}

/** Where each moment sits on the bar, in percent of the video, with the text it shows. */
export function placeMoments(moments, durationMs) {
  if (!(durationMs > 0)) return [];
  return moments
    .filter((m) => m.startMs <= durationMs)
    .map((m) => ({
      ...m,
      leftPct: Math.min(100, (m.peakMs / durationMs) * 100),
      text: m.label || `${m.danmaku} danmaku`,
    }));
}

/** The moments from the busiest down: what "jump to the best moments" walks through. */
export function bestFirst(moments) {
  return [...moments].sort((a, b) => b.danmaku - a.danmaku || a.startMs - b.startMs);
}

/** The next best moment after the one last jumped to (wrapping), given the list from bestFirst. */
export function nextBest(best, lastIndex) {
  if (!best.length) return -1;
  return (lastIndex + 1) % best.length;
}

export function initDensity({ videoId, player, bar, durationMs, container }) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'density-curve');
  svg.setAttribute('viewBox', '0 0 1000 100');
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.setAttribute('aria-hidden', 'true');
  svg.dataset.testid = 'density-curve';
  const path = document.createElementNS(SVG, 'path');
  svg.append(path);
  bar.prepend(svg);
  const markers = el('div', { class: 'moment-markers' });
  bar.append(markers);
  const row = el('div', { class: 'moments', dataset: { testid: 'moments' }, hidden: true });
  container.after(row);

  const seekTo = (ms) => {
    player.currentTime = ms / 1000;
  };
  // a click on a marker is a jump to its moment, not a seek to the pointer
  const jump = (ms) => (event) => {
    event.stopPropagation();
    event.preventDefault();
    seekTo(ms);
  };

  async function refresh() {
    const duration = durationMs || (Number.isFinite(player.duration) ? player.duration * 1000 : 0);
    try {
      const curve = await api(`/api/v1/videos/${encodeURIComponent(videoId)}/danmaku/density`);
      path.setAttribute('d', curvePath(curve.counts ?? [], curve.bucketMs ?? 5000, duration));
      svg.dataset.total = String(curve.total ?? 0);
      const result = await api(`/api/v1/videos/${encodeURIComponent(videoId)}/danmaku/moments`);
      const placed = placeMoments(result.moments ?? [], duration);
      markers.replaceChildren(
        ...placed.map((m) =>
          el('button', {
            type: 'button',
            class: 'moment-marker',
            dataset: { testid: 'moment-marker', startMs: String(m.startMs) },
            style: { left: `${m.leftPct.toFixed(2)}%` },
            title: `${formatDuration(m.startMs)} · ${m.text}`,
            'aria-label': `Jump to ${formatDuration(m.startMs)}: ${m.text}`,
            text: m.text,
            onpointerdown: (event) => event.stopPropagation(),
            onclick: jump(m.startMs),
          }),
        ),
      );
      const best = bestFirst(placed);
      let last = -1;
      row.hidden = best.length === 0;
      row.replaceChildren(
        el('button', {
          type: 'button',
          class: 'button ghost small',
          dataset: { testid: 'best-moment' },
          text: 'Jump to the best moments',
          onclick: () => {
            last = nextBest(best, last);
            if (last >= 0) seekTo(best[last].startMs);
          },
        }),
        ...placed.map((m) =>
          el('button', {
            type: 'button',
            class: 'link moment',
            text: `${formatDuration(m.startMs)} ${m.text}`,
            onclick: () => seekTo(m.startMs),
          }),
        ),
      );
    } catch {
      // no curve: the bar still seeks
    }
  }

  refresh();
  player.addEventListener('durationchange', refresh, { once: true });
  return { refresh };
}
