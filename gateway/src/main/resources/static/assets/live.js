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
  }) {
    Object.assign(this, { url, onFrame, onState, onReconnected, WebSocketImpl, timers, random });
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
      this.onState('open', {});
      if (this.everOpened) this.onReconnected();
      this.everOpened = true;
    };
    socket.onmessage = (event) => {
      if (this.socket !== socket) return;
      const frame = parseFrame(event.data);
      if (frame) this.onFrame(frame);
    };
    socket.onerror = () => {
      // A close event always follows; reconnecting is decided there.
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (!this.stopped) this.#scheduleReconnect();
    };
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
