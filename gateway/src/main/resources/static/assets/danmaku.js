// Danmaku rendering over a <video>: a local timeline of comments keyed to playback time, lane
// allocation so concurrent comments do not overlap, and DOM elements moved with translate3d.
//
// The pure parts (normalize, Timeline, lane allocation) touch no DOM so they can be tested in Node.

export const SCROLL_MS = 8000;
export const FIXED_MS = 4000;
export const SIZE_PX = { SMALL: 18, NORMAL: 25, LARGE: 36 };
const MODES = new Set(['SCROLL', 'TOP', 'BOTTOM']);
const MAX_ON_SCREEN = 300;
const MAX_PENDING_LIVE = 60;

// ---- pure logic ----------------------------------------------------------------------------------

/** A server danmaku as the renderer needs it, or null if it cannot be shown. */
export function normalize(raw) {
  if (!raw || raw.id == null || typeof raw.text !== 'string') return null;
  const playbackMs = Number(raw.playbackMs);
  const color = Number(raw.color);
  const seq = raw.seq == null ? null : Number(raw.seq);
  const mode = String(raw.mode ?? 'SCROLL').toUpperCase();
  const size = String(raw.size ?? 'NORMAL').toUpperCase();
  return {
    id: String(raw.id), // Snowflake ids are strings: never turn them into numbers
    seq: Number.isFinite(seq) ? seq : null,
    text: raw.text,
    playbackMs: Number.isFinite(playbackMs) && playbackMs >= 0 ? playbackMs : 0,
    mode: MODES.has(mode) ? mode : 'SCROLL',
    color: Number.isInteger(color) && color >= 0 && color <= 0xffffff ? color : 0xffffff,
    size: SIZE_PX[size] ? size : 'NORMAL',
    senderId: raw.senderId ?? null,
  };
}

export function cssColor(color) {
  return `#${color.toString(16).padStart(6, '0')}`;
}

/** True for colours too dark to read with a dark outline; they get a light one instead. */
export function isDark(color) {
  const r = (color >> 16) & 0xff;
  const g = (color >> 8) & 0xff;
  const b = color & 0xff;
  return 0.2126 * r + 0.7152 * g + 0.0722 * b < 60;
}

function compare(a, b) {
  if (a.playbackMs !== b.playbackMs) return a.playbackMs - b.playbackMs;
  const sa = a.seq ?? Number.MAX_SAFE_INTEGER;
  const sb = b.seq ?? Number.MAX_SAFE_INTEGER;
  if (sa !== sb) return sa - sb;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** All known danmaku of a video ordered by playbackMs then seq, de-duplicated by id. */
export class Timeline {
  constructor() {
    this.items = [];
    this.ids = new Set();
    this.maxSeq = null;
  }

  get size() {
    return this.items.length;
  }

  has(id) {
    return this.ids.has(String(id));
  }

  #remember(item) {
    this.ids.add(item.id);
    if (item.seq != null && (this.maxSeq == null || item.seq > this.maxSeq)) this.maxSeq = item.seq;
  }

  /** Adds one item; false when its id is already known. */
  add(item) {
    if (this.ids.has(item.id)) return false;
    this.#remember(item);
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compare(this.items[mid], item) <= 0) lo = mid + 1;
      else hi = mid;
    }
    this.items.splice(lo, 0, item);
    return true;
  }

  /** Adds many at once (one sort instead of many splices); returns how many were new. */
  addAll(items) {
    let added = 0;
    for (const item of items) {
      if (this.ids.has(item.id)) continue;
      this.#remember(item);
      this.items.push(item);
      added++;
    }
    if (added) this.items.sort(compare);
    return added;
  }

  /** Forgets an item (deleted by its sender or a moderator); true when it was known. */
  remove(id) {
    const key = String(id);
    if (!this.ids.has(key)) return false;
    this.ids.delete(key);
    const index = this.items.findIndex((i) => i.id === key);
    if (index >= 0) this.items.splice(index, 1);
    return true;
  }

  /** Items with afterMs < playbackMs <= uptoMs, in order. */
  *between(afterMs, uptoMs) {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.items[mid].playbackMs <= afterMs) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.items.length && this.items[i].playbackMs <= uptoMs; i++) yield this.items[i];
  }
}

/** Pixels per millisecond: every scrolling comment crosses the screen in the same time, so long ones move faster. */
export function scrollSpeed(layerWidth, itemWidth, durationMs = SCROLL_MS) {
  return (layerWidth + itemWidth) / durationMs;
}

/**
 * Whether `next` may enter a lane whose most recent comment is `last` without ever touching it.
 * Both are {start, width, speed}: they enter at the right edge at `start` (ms) and move left.
 * 1. when next enters, last's tail must already be `gap` px inside the screen;
 * 2. next must not catch up with last before last has left the screen (speeds are constant, so
 *    checking the two ends of the shared interval is enough).
 */
export function scrollLaneFits(last, next, layerWidth, durationMs = SCROLL_MS, gap = 16) {
  if (!last) return true;
  const travelled = last.speed * (next.start - last.start);
  if (travelled < last.width + gap) return false;
  const lastGone = last.start + durationMs;
  return next.speed * (lastGone - next.start) <= layerWidth;
}

/**
 * Picks a scroll lane for `next` (top-most that fits). lanes[i] is the last comment placed in lane
 * i, or null. When every lane is busy the comment still shows (never dropped): it goes to the lane
 * whose last comment entered earliest, accepting an overlap. Returns {lane, overlap}.
 */
export function allocateScrollLane(lanes, next, layerWidth, durationMs = SCROLL_MS, gap = 16) {
  let fallback = 0;
  for (let i = 0; i < lanes.length; i++) {
    if (scrollLaneFits(lanes[i], next, layerWidth, durationMs, gap)) return { lane: i, overlap: false };
    if (lanes[i].start < lanes[fallback].start) fallback = i;
  }
  return { lane: fallback, overlap: true };
}

/**
 * Picks a TOP/BOTTOM lane: lanes[i] is the time the lane's comment disappears (0 = free). Lane 0
 * is nearest the edge. When all are busy, the one freeing soonest is reused. Returns {lane, overlap}.
 */
export function allocateFixedLane(lanes, now) {
  let fallback = 0;
  for (let i = 0; i < lanes.length; i++) {
    if (lanes[i] <= now) return { lane: i, overlap: false };
    if (lanes[i] < lanes[fallback]) fallback = i;
  }
  return { lane: fallback, overlap: true };
}

// ---- rendering -----------------------------------------------------------------------------------

/**
 * Renders danmaku over a video. The clock is the video's playback position, advanced smoothly
 * between frames while the video really plays, so comments freeze when it pauses or stalls and
 * jump with it when it seeks.
 */
export class DanmakuEngine {
  constructor(video, layer, { isOwn = () => false } = {}) {
    this.video = video;
    this.layer = layer;
    this.isOwn = isOwn;
    this.timeline = new Timeline();
    this.shown = new Set(); // ids shown since the last seek: each shows once per pass
    this.active = []; // {item, node, start, width, speed, duration}
    this.pendingLive = [];
    this.cursor = -1; // playback ms up to which the timeline has been emitted
    this.clock = 0;
    this.lastTs = null;
    this.visible = true;
    this.scrollLanes = [];
    this.topLanes = [];
    this.bottomLanes = [];
    this.onChange = () => {};
    this.filter = () => true; // false hides an item (blocked keywords)
    this.usableLanes = Infinity; // density: scroll lanes comments may use; beyond, they are dropped
    // a viewer's settings (danmaku-settings.js): crossing time, font size, and merged repeats
    this.scrollMs = SCROLL_MS;
    this.fontScale = 1;
    this.merger = null; // {absorb(item, now), lead(item, now), reset()} or null

    this.frame = this.frame.bind(this);
    this.onSeeking = () => this.resetTo(this.video.currentTime * 1000);
    video.addEventListener('seeking', this.onSeeking);
    video.addEventListener('seeked', this.onSeeking);
    this.resizeObserver = new ResizeObserver(() => this.measure());
    this.resizeObserver.observe(layer);
    this.measure();
    this.raf = requestAnimationFrame(this.frame);
  }

  get count() {
    return this.timeline.size;
  }

  get maxSeq() {
    return this.timeline.maxSeq;
  }

  /** Merges history; recent items around the current position appear mid-flight. */
  load(rawItems) {
    const items = rawItems.map(normalize).filter(Boolean);
    const added = this.timeline.addAll(items);
    // Let the next frame consider what was just learned for the last few seconds.
    this.cursor = Math.min(this.cursor, this.clock - this.scrollMs);
    if (added) this.onChange();
    return added;
  }

  /** A comment that arrived live (or that we just sent): shown now, and kept for replays. */
  addLive(raw, { own = false } = {}) {
    const item = normalize(raw);
    if (!item) return false;
    if (own) item.own = true;
    if (!this.timeline.add(item)) {
      // Already known (the POST answer and the live frame race): show once, but keep the mark.
      if (own) this.markOwn(item.id);
      return false;
    }
    this.onChange();
    if (this.shown.has(item.id)) return true;
    this.shown.add(item.id);
    this.pendingLive.push(item);
    if (this.pendingLive.length > MAX_PENDING_LIVE) this.pendingLive.shift();
    return true;
  }

  /** Removes deleted danmaku from the screen and the timeline; returns how many were known. */
  remove(ids) {
    const gone = new Set(ids.map(String));
    let removed = 0;
    for (const id of gone) if (this.timeline.remove(id)) removed++;
    this.pendingLive = this.pendingLive.filter((item) => !gone.has(item.id));
    this.active = this.active.filter((entry) => {
      if (!gone.has(entry.item.id)) return true;
      entry.node.remove();
      return false;
    });
    if (removed) this.onChange();
    return removed;
  }

  setFilter(filter) {
    this.filter = filter;
    this.active = this.active.filter((entry) => {
      if (filter(entry.item)) return true;
      entry.node.remove();
      return false;
    });
  }

  /** density 0.25…1: below 1, scrolling comments that find no free lane are dropped, not overlapped. */
  setDensity(density) {
    this.density = density;
    this.measure();
  }

  setOpacity(opacity) {
    this.layer.style.opacity = String(opacity);
  }

  /** speed 0.5…2: scrolling comments cross the screen in SCROLL_MS / speed. */
  setSpeed(speed) {
    this.scrollMs = Math.round(SCROLL_MS / (Number(speed) > 0 ? Number(speed) : 1));
  }

  /** fontScale 0.5…2: every comment's size, and so the lanes' height. */
  setFontScale(fontScale) {
    this.fontScale = Number(fontScale) > 0 ? Number(fontScale) : 1;
    this.measure();
  }

  /** A RepeatMerger (danmaku-settings.js) or null: repeats of an on-screen text raise its ×N instead. */
  setMerger(merger) {
    this.merger = merger;
  }

  /** What is on screen now, for tests and the list panel: {id, text, mode, seq, own}. */
  onScreen() {
    return this.active.map(({ item, node }) => ({
      id: item.id,
      seq: item.seq,
      text: item.text,
      mode: item.mode,
      own: node.classList.contains('danmaku-own'),
      count: Number(node.dataset.count ?? 1),
    }));
  }

  markOwn(id) {
    const known = this.timeline.items.find((i) => i.id === id);
    if (known) known.own = true;
    for (const entry of this.active) if (entry.item.id === id) entry.node.classList.add('danmaku-own');
  }

  setVisible(visible) {
    this.visible = visible;
    this.layer.classList.toggle('danmaku-hidden', !visible);
    if (!visible) this.clearScreen();
  }

  destroy() {
    cancelAnimationFrame(this.raf);
    this.resizeObserver.disconnect();
    this.video.removeEventListener('seeking', this.onSeeking);
    this.video.removeEventListener('seeked', this.onSeeking);
    this.clearScreen();
  }

  measure() {
    const width = this.layer.clientWidth || 640;
    const height = this.layer.clientHeight || 360;
    this.width = width;
    this.height = height;
    // the picture's height, not the layer's: a smaller display area must not shrink the text
    const picture = this.layer.parentElement?.clientHeight || height;
    this.scale = Math.min(1.2, Math.max(0.6, picture / 720)) * (this.fontScale ?? 1);
    this.laneHeight = Math.ceil(SIZE_PX.NORMAL * this.scale * 1.3);
    const count = Math.max(1, Math.floor(height / this.laneHeight));
    const fit = (lanes, empty) => {
      lanes.length = Math.min(lanes.length, count);
      while (lanes.length < count) lanes.push(empty);
    };
    fit(this.scrollLanes, null);
    fit(this.topLanes, 0);
    fit(this.bottomLanes, 0);
    const density = this.density ?? 1;
    this.usableLanes = density >= 1 ? Infinity : Math.max(1, Math.round(count * density));
  }

  clearScreen() {
    for (const entry of this.active) entry.node.remove();
    this.active = [];
    this.scrollLanes.fill(null);
    this.topLanes.fill(0);
    this.bottomLanes.fill(0);
  }

  resetTo(ms) {
    this.clearScreen();
    this.shown.clear();
    this.pendingLive = [];
    this.clock = ms;
    this.merger?.reset();
    // Comments that started up to one crossing ago are still on screen at `ms`.
    this.cursor = ms - this.scrollMs;
  }

  frame(ts) {
    this.raf = requestAnimationFrame(this.frame);
    const video = this.video;
    const mediaMs = video.currentTime * 1000;
    const running = !video.paused && !video.ended && !video.seeking && video.readyState >= 3;
    if (running && this.lastTs != null) {
      this.clock += Math.min(ts - this.lastTs, 250) * (video.playbackRate || 1);
    }
    // currentTime is the truth; the smooth clock only fills in between its updates.
    if (Math.abs(this.clock - mediaMs) > 300) {
      if (mediaMs < this.cursor - 1500) this.resetTo(mediaMs); // jumped back without a seek (loop)
      else this.clock = mediaMs;
    }
    this.lastTs = ts;

    const batch = [];
    if (!video.seeking) {
      const now = this.clock;
      if (now > this.cursor) {
        for (const item of this.timeline.between(this.cursor, now)) {
          if (this.shown.has(item.id)) continue;
          const duration = item.mode === 'SCROLL' ? this.scrollMs : FIXED_MS;
          if (now - item.playbackMs >= duration - 200) continue; // would only flash
          this.shown.add(item.id);
          batch.push({ item, start: item.playbackMs });
        }
        this.cursor = now;
      }
    }
    for (const item of this.pendingLive) batch.push({ item, start: this.clock });
    this.pendingLive = [];
    let shown = batch.filter(({ item }) => this.filter(item));
    const raised = new Map();
    if (this.merger && shown.length) shown = this.merge(shown, raised);
    if (shown.length && this.visible) this.spawn(shown);
    for (const [id, count] of raised) {
      const entry = this.active.find((e) => e.item.id === id);
      if (!entry) continue;
      entry.node.textContent = `${entry.item.text} ×${count}`;
      entry.node.dataset.count = String(count);
    }
    this.position();
  }

  /** Leaves out repeats of a text already on screen (or leading this batch); `raised` gets lead → ×N. */
  merge(batch, raised) {
    const now = this.clock;
    const kept = [];
    for (const entry of batch) {
      const lead = entry.item.own ? null : this.merger.absorb(entry.item, now);
      if (!lead) {
        kept.push(entry);
      } else if (kept.some((k) => k.item.id === lead.id) || this.active.some((a) => a.item.id === lead.id)) {
        raised.set(lead.id, lead.count);
      } else {
        this.merger.lead(entry.item, now); // its lead has left the screen: this one leads now
        kept.push(entry);
      }
    }
    return kept;
  }

  spawn(batch) {
    const scale = this.scale;
    const entries = batch.map(({ item, start }) => {
      const node = document.createElement('div');
      node.className = `danmaku-item danmaku-${item.mode.toLowerCase()}`;
      if (item.own || this.isOwn(item)) node.classList.add('danmaku-own');
      if (isDark(item.color)) node.classList.add('danmaku-dark');
      node.dataset.id = item.id;
      if (item.seq != null) node.dataset.seq = String(item.seq);
      node.dataset.mode = item.mode;
      node.textContent = item.text; // user text: never innerHTML
      node.style.color = cssColor(item.color);
      node.style.fontSize = `${Math.round(SIZE_PX[item.size] * scale)}px`;
      if (item.mode === 'SCROLL') node.style.transform = `translate3d(${this.width}px,0,0)`;
      const duration = item.mode === 'SCROLL' ? this.scrollMs : FIXED_MS;
      return { item, node, start, duration, width: 0, speed: 0 };
    });
    const fragment = document.createDocumentFragment();
    for (const entry of entries) fragment.append(entry.node);
    this.layer.append(fragment);

    // One layout for the whole batch: read all widths, then write positions.
    for (const entry of entries) if (entry.item.mode === 'SCROLL') entry.width = entry.node.offsetWidth;
    for (const entry of entries) {
      const { item } = entry;
      if (item.mode === 'SCROLL') {
        entry.speed = scrollSpeed(this.width, entry.width, this.scrollMs);
        const limited = this.usableLanes < this.scrollLanes.length;
        const lanes = limited ? this.scrollLanes.slice(0, this.usableLanes) : this.scrollLanes;
        const { lane, overlap } = allocateScrollLane(lanes, entry, this.width, this.scrollMs);
        if (overlap && limited && !entry.item.own) {
          entry.node.remove(); // a thinner screen was asked for: drop rather than pile up
          continue;
        }
        this.scrollLanes[lane] = { start: entry.start, width: entry.width, speed: entry.speed };
        entry.node.style.top = `${lane * this.laneHeight}px`;
      } else {
        const lanes = item.mode === 'TOP' ? this.topLanes : this.bottomLanes;
        const { lane } = allocateFixedLane(lanes, entry.start);
        lanes[lane] = entry.start + FIXED_MS;
        const y = item.mode === 'TOP' ? lane * this.laneHeight : this.height - (lane + 1) * this.laneHeight;
        entry.node.style.top = `${Math.max(0, y)}px`;
      }
      this.active.push(entry);
    }
    if (this.active.length > MAX_ON_SCREEN) {
      for (const old of this.active.splice(0, this.active.length - MAX_ON_SCREEN)) old.node.remove();
    }
  }

  position() {
    const now = this.clock;
    let kept = 0;
    for (const entry of this.active) {
      const age = Math.max(0, now - entry.start);
      if (age >= entry.duration || now < entry.start - 1000) {
        entry.node.remove();
        continue;
      }
      if (entry.item.mode === 'SCROLL') {
        const x = this.width - entry.speed * age;
        entry.node.style.transform = `translate3d(${x.toFixed(1)}px,0,0)`;
      }
      this.active[kept++] = entry;
    }
    this.active.length = kept;
  }
}
