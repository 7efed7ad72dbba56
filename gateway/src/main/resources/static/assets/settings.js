// Viewer settings of the danmaku overlay, kept in localStorage (never anything secret there).
// Pure: the storage is passed in, so Node tests can use a Map-backed stand-in.

export const STORAGE_KEY = 'barrage.danmaku.settings.v1';

export const DEFAULTS = Object.freeze({
  visible: true,
  density: 1, // 0.25 … 1: the share of lanes scrolling comments may use
  opacity: 1, // 0.2 … 1
  blocked: [], // keywords, matched case-insensitively anywhere in the text
});

const MAX_KEYWORDS = 100;
const MAX_KEYWORD_LENGTH = 50;

function clamp(value, min, max, fallback) {
  const n = Number(value);
  if (!Number.isFinite(n)) return fallback;
  return Math.min(max, Math.max(min, n));
}

/** Cleans keywords: trimmed, lower-cased, de-duplicated, bounded. Accepts an array or a comma list. */
export function parseKeywords(input) {
  const list = Array.isArray(input) ? input : String(input ?? '').split(/[,\n]/);
  const seen = new Set();
  for (const raw of list) {
    if (typeof raw !== 'string') continue;
    const word = raw.trim().toLowerCase().slice(0, MAX_KEYWORD_LENGTH);
    if (word) seen.add(word);
    if (seen.size >= MAX_KEYWORDS) break;
  }
  return [...seen];
}

/** Whatever was stored (possibly by an older version, or edited by hand) as valid settings. */
export function sanitize(raw) {
  const value = raw && typeof raw === 'object' ? raw : {};
  return {
    visible: typeof value.visible === 'boolean' ? value.visible : DEFAULTS.visible,
    density: clamp(value.density, 0.25, 1, DEFAULTS.density),
    opacity: clamp(value.opacity, 0.2, 1, DEFAULTS.opacity),
    blocked: parseKeywords(value.blocked ?? []),
  };
}

export function loadSettings(storage = globalThis.localStorage) {
  try {
    const text = storage?.getItem(STORAGE_KEY);
    return sanitize(text ? JSON.parse(text) : null);
  } catch {
    return sanitize(null); // storage disabled or corrupt: defaults, never an error
  }
}

export function saveSettings(settings, storage = globalThis.localStorage) {
  const clean = sanitize(settings);
  try {
    storage?.setItem(STORAGE_KEY, JSON.stringify(clean));
  } catch {
    // private mode or full: the settings still apply to this page
  }
  return clean;
}

/** True when a comment's text contains a blocked keyword. */
export function isBlocked(text, settings) {
  if (!settings.blocked.length || typeof text !== 'string') return false;
  const lower = text.toLowerCase();
  return settings.blocked.some((word) => lower.includes(word));
}

/** How many scroll lanes may be used out of `total` at a density. At least one. */
export function lanesFor(total, density) {
  return Math.max(1, Math.min(total, Math.round(total * clamp(density, 0.25, 1, 1))));
}
