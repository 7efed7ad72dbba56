// The live WebSocket of a video page, reconnecting with exponential backoff and jitter.
// No DOM here: the page passes callbacks, and tests can pass a fake WebSocket and timers.

/**
 * Delay before reconnect attempt n (0-based): exponential, capped, with "equal jitter" (half fixed,
 * half random) so a shard restart does not bring every viewer back in the same millisecond.
 */
export function backoffDelay(attempt, { baseMs = 500, capMs = 30000, random = Math.random } = {}) {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 20));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Parses a server frame; null for anything that is not a JSON object with a string `type`. */
export function parseFrame(data) {
  if (typeof data !== 'string' || data.length > 4_000_000) return null;
  try {
    const frame = JSON.parse(data);
    return frame && typeof frame === 'object' && typeof frame.type === 'string' ? frame : null;
  } catch {
    return null;
  }
}

/**
 * States reported to onState(state, detail): 'connecting', 'open', 'reconnecting' (detail.delayMs),
 * 'closed' (after close()).
 */
export class LiveConnection {
  constructor({
    url, // (isReconnect) => string
    onFrame = () => {},
    onState = () => {},
    onReconnected = () => {},
    WebSocketImpl = globalThis.WebSocket,
    timers = globalThis,
    random = Math.random,
    now = () => Date.now(),
    // the shard sends the online count every 5 s: a connection silent this long is dead (a half-open
    // leg behind a proxy that died) and is replaced, resuming with since
    silenceMs = 15000,
  }) {
    Object.assign(this, { url, onFrame, onState, onReconnected, WebSocketImpl, timers, random, now, silenceMs });
    this.watchdog = null;
    this.lastHeard = 0;
    this.attempt = 0;
    this.socket = null;
    this.timer = null;
    this.stopped = false;
    this.everOpened = false;
  }

  start() {
    this.stopped = false;
    this.#connect();
    return this;
  }

  /** Skips the remaining backoff (e.g. the browser came back online). */
  retryNow() {
    if (this.stopped || this.socket || this.timer == null) return;
    this.timers.clearTimeout(this.timer);
    this.timer = null;
    this.#connect();
  }

  close() {
    this.stopped = true;
    if (this.timer != null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    this.#disarm();
    const socket = this.socket;
    this.socket = null;
    if (socket) socket.close(1000, 'bye');
    this.onState('closed', {});
  }

  #connect() {
    const reconnect = this.everOpened;
    this.onState(this.attempt === 0 && !reconnect ? 'connecting' : 'reconnecting', { attempt: this.attempt });
    let socket;
    try {
      socket = new this.WebSocketImpl(this.url(reconnect));
    } catch {
      this.#scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.attempt = 0;
      this.lastHeard = this.now();
      this.#arm(socket, this.silenceMs);
      this.onState('open', {});
      if (this.everOpened) this.onReconnected();
      this.everOpened = true;
    };
    socket.onmessage = (event) => {
      if (this.socket !== socket) return;
      this.lastHeard = this.now();
      const frame = parseFrame(event.data);
      if (frame) this.onFrame(frame);
    };
    socket.onerror = () => {
      // A close event always follows; reconnecting is decided there.
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.#disarm();
      if (!this.stopped) this.#scheduleReconnect();
    };
  }

  #arm(socket, delayMs) {
    this.#disarm();
    this.watchdog = this.timers.setTimeout(() => {
      this.watchdog = null;
      if (this.socket !== socket || this.stopped) return;
      const silent = this.now() - this.lastHeard;
      if (silent < this.silenceMs) {
        this.#arm(socket, this.silenceMs - silent);
        return;
      }
      // do not wait for a close event a dead connection may never deliver
      this.socket = null;
      try {
        socket.close(4000, 'silent');
      } catch {
        // already closing
      }
      this.#scheduleReconnect();
    }, delayMs);
  }

  #disarm() {
    if (this.watchdog != null) this.timers.clearTimeout(this.watchdog);
    this.watchdog = null;
  }

  #scheduleReconnect() {
    const delayMs = backoffDelay(this.attempt, { random: this.random });
    this.attempt++;
    this.onState('reconnecting', { delayMs, attempt: this.attempt });
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      if (!this.stopped) this.#connect();
    }, delayMs);
  }
}
