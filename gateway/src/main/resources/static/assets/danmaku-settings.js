// A viewer's danmaku settings: block rules (keyword, regex, user) and display switches, the
// same document user-service keeps per account (docs/design/viewer-settings.md). This module is pure:
// what a danmaku passes, how repeats merge, where the layer sits, the bilibili rule file, and the
// anonymous viewer's copy in localStorage (the storage is passed in, so Node tests use a stand-in).

import { compileRegex } from './safe-regex.js';

export const STORAGE_KEY = 'barrage.danmaku.viewer.v2';
const LEGACY_KEY = 'barrage.danmaku.settings.v1'; // settings.js: keywords and opacity of one browser

// The server's bounds (barrage.danmaku-settings in user-service), enforced here too so an anonymous
// viewer's rules are bounded the same way and a tampered storage cannot make the page do more work.
export const LIMITS = Object.freeze({ maxRules: 1000, maxRuleLength: 200 });
export const MODES = Object.freeze(['SCROLL', 'TOP', 'BOTTOM']);
export const AREAS = Object.freeze([100, 75, 50, 25]);
export const RULE_TYPES = Object.freeze(['keyword', 'regex', 'user']);
export const SUBTITLE_MARGIN = 15; // percent of the picture kept clear at the bottom
export const MERGE_WINDOW_MS = 5000;
const WHITE = 0xffffff;

export const DEFAULTS = Object.freeze({
  version: 0,
  rules: Object.freeze([]),
  hiddenModes: Object.freeze([]),
  hideColored: false,
  mergeRepeats: false,
  displayArea: 100,
  subtitleSafe: false,
  speed: 1,
  fontScale: 1,
  opacity: 1,
});

function number(value, min, max, fallback) {
  const n = Number(value);
  return Number.isFinite(n) && n >= min && n <= max ? n : fallback;
}

const USER_KEY = /^[A-Za-z0-9_-]{1,64}$/;
// control characters, unpaired surrogates and non-characters, as user-service refuses them
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\ufdd0-\ufdef\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why a rule would be refused (a sentence), or null when it is acceptable. */
export function ruleProblem(type, value) {
  if (!RULE_TYPES.includes(type)) return 'Pick keyword, regex or user.';
  const text = typeof value === 'string' ? value.trim() : '';
  const length = Array.from(text).length;
  if (length === 0 || length > LIMITS.maxRuleLength) return `A rule is 1 to ${LIMITS.maxRuleLength} characters.`;
  if (UNPRINTABLE.test(text)) return 'A rule cannot contain control or invalid characters.';
  if (type === 'user' && !USER_KEY.test(text)) return 'A user rule is a user id.';
  if (type === 'regex') {
    try {
      compileRegex(text);
    } catch (error) {
      return `Not a regular expression this page can run: ${error.message}.`;
    }
  }
  return null;
}

const ruleKey = (rule) => `${rule.type}:${rule.type === 'keyword' ? rule.value.toLowerCase() : rule.value}`;

/** Valid rules only (others dropped), trimmed, de-duplicated, at most LIMITS.maxRules. */
export function cleanRules(list) {
  const rules = [];
  const seen = new Set();
  for (const raw of Array.isArray(list) ? list : []) {
    if (!raw || typeof raw !== 'object') continue;
    const type = String(raw.type ?? '').toLowerCase();
    const value = typeof raw.value === 'string' ? raw.value.trim() : '';
    // a regex this page cannot run is kept (the server accepted it): it is reported, not applied
    const problem = ruleProblem(type, value);
    if (problem && !(type === 'regex' && problem.startsWith('Not a regular'))) continue;
    const rule = { type, value, enabled: raw.enabled !== false };
    if (seen.has(ruleKey(rule))) continue;
    seen.add(ruleKey(rule));
    rules.push(rule);
    if (rules.length >= LIMITS.maxRules) break;
  }
  return rules;
}

/** Whatever was stored or received, as valid settings; anything odd falls back to its default. */
export function sanitize(raw) {
  const v = raw && typeof raw === 'object' ? raw : {};
  const modes = Array.isArray(v.hiddenModes) ? v.hiddenModes.map((m) => String(m).toUpperCase()) : [];
  return {
    version: Number.isSafeInteger(v.version) && v.version >= 0 ? v.version : 0,
    rules: cleanRules(v.rules),
    hiddenModes: MODES.filter((m) => modes.includes(m)),
    hideColored: v.hideColored === true,
    mergeRepeats: v.mergeRepeats === true,
    displayArea: AREAS.includes(Number(v.displayArea)) ? Number(v.displayArea) : DEFAULTS.displayArea,
    subtitleSafe: v.subtitleSafe === true,
    speed: number(v.speed, 0.5, 2, DEFAULTS.speed),
    fontScale: number(v.fontScale, 0.5, 2, DEFAULTS.fontScale),
    opacity: number(v.opacity, 0.1, 1, DEFAULTS.opacity),
  };
}

/** The document a PUT sends (the version travels as If-Match). */
export function toDocument(settings) {
  const { version, ...document } = sanitize(settings);
  return document;
}

/** True when two settings say the same (versions aside). */
export function sameSettings(a, b) {
  return JSON.stringify(toDocument(a)) === JSON.stringify(toDocument(b));
}

export function isDefault(settings) {
  return sameSettings(settings, DEFAULTS);
}

// ---- what passes ---------------------------------------------------------------------------------

/**
 * A predicate over normalised danmaku ({text, mode, color, senderId, own}) for these settings, plus the
 * regex rules this page could not compile. Text verdicts are cached per text (bounded): history replays
 * and repeated comments ask about the same texts again and again.
 */
export function buildFilter(settings, { cacheSize = 5000 } = {}) {
  const s = sanitize(settings);
  const hidden = new Set(s.hiddenModes);
  const users = new Set();
  const keywords = [];
  const regexes = [];
  const unsupported = [];
  for (const rule of s.rules) {
    if (!rule.enabled) continue;
    if (rule.type === 'user') users.add(rule.value);
    else if (rule.type === 'keyword') keywords.push(rule.value.toLowerCase());
    else {
      try {
        regexes.push(compileRegex(rule.value));
      } catch {
        unsupported.push(rule.value);
      }
    }
  }
  const verdicts = new Map();
  const textBlocked = (text) => {
    if (!keywords.length && !regexes.length) return false;
    const cached = verdicts.get(text);
    if (cached !== undefined) return cached;
    const lower = text.toLowerCase();
    let blocked = keywords.some((word) => lower.includes(word));
    if (!blocked && regexes.length) {
      const cps = Array.from(text, (ch) => ch.codePointAt(0));
      blocked = regexes.some((re) => re.test(cps));
    }
    if (verdicts.size >= cacheSize) verdicts.delete(verdicts.keys().next().value);
    verdicts.set(text, blocked);
    return blocked;
  };
  const accepts = (item) => {
    if (!item || typeof item.text !== 'string') return false;
    if (item.own) return true; // your own danmaku always shows: you just sent it
    if (hidden.has(item.mode)) return false;
    if (s.hideColored && item.color !== WHITE) return false;
    if (users.size && item.senderId != null && users.has(String(item.senderId))) return false;
    return !textBlocked(item.text);
  };
  return { accepts, unsupported };
}

/**
 * Merges repeats: a text seen again within `windowMs` of the first showing is not shown again; the
 * first one counts it (×N). Texts compare trimmed, case- and space-insensitively. Bounded memory.
 */
export class RepeatMerger {
  constructor({ windowMs = MERGE_WINDOW_MS, maxKeys = 2000 } = {}) {
    this.windowMs = windowMs;
    this.maxKeys = maxKeys;
    this.leads = new Map(); // key → {id, at, count}
  }

  static key(text) {
    return String(text).trim().toLowerCase().replace(/\s+/g, ' ');
  }

  /** The lead this item repeats ({id, count} with count already raised), or null: it leads itself. */
  absorb(item, now) {
    const key = RepeatMerger.key(item.text);
    const lead = this.leads.get(key);
    if (lead && now >= lead.at && now - lead.at <= this.windowMs) {
      lead.count++;
      return lead;
    }
    this.lead(item, now);
    return null;
  }

  /** Makes item the lead of its text (its earlier lead is gone from the screen). */
  lead(item, now) {
    const key = RepeatMerger.key(item.text);
    this.leads.delete(key);
    if (this.leads.size >= this.maxKeys) {
      for (const [k, v] of this.leads) {
        if (now - v.at > this.windowMs || this.leads.size >= this.maxKeys) this.leads.delete(k);
        if (this.leads.size < this.maxKeys / 2) break;
      }
    }
    this.leads.set(key, { id: item.id, at: now, count: 1 });
  }

  reset() {
    this.leads.clear();
  }
}

/** The text a merged lead shows: "text ×N". */
export function mergedText(text, count) {
  return count > 1 ? `${text} ×${count}` : text;
}

/** Where the overlay sits: its bottom edge, in percent of the picture, from the bottom. */
export function layerBottom(settings) {
  const s = sanitize(settings);
  return Math.max(100 - s.displayArea, s.subtitleSafe ? SUBTITLE_MARGIN : 0);
}

// ---- bilibili's rule file ------------------------------------------------------------------------

const BILI_TYPES = ['keyword', 'regex', 'user'];

/**
 * Rules from bilibili's block-list JSON ([{type: 0 text | 1 regex | 2 user, filter, opened, id}], or
 * {rule: [...]}), for a viewer who is not signed in (a signed-in viewer's file goes to user-service).
 * Returns {rules, problems}: problems name an entry (1-based) that was left out and why.
 */
export function parseBilibili(json) {
  let entries = json;
  if (entries && !Array.isArray(entries) && typeof entries === 'object') {
    entries = entries.data && typeof entries.data === 'object' ? entries.data.rule : entries.rule;
  }
  if (!Array.isArray(entries)) {
    return { rules: [], problems: ['This is not a bilibili rule file (a JSON list of {type, filter, opened}).'] };
  }
  const rules = [];
  const problems = [];
  entries.slice(0, LIMITS.maxRules + 1).forEach((entry, index) => {
    const type = BILI_TYPES[entry?.type];
    let value = typeof entry?.filter === 'string' || typeof entry?.filter === 'number' ? String(entry.filter).trim() : '';
    if (type === 'regex' && value.length > 2 && value.startsWith('/') && value.endsWith('/')) value = value.slice(1, -1);
    const problem = type ? ruleProblem(type, value) : 'Unknown rule type.';
    if (problem) problems.push(`Rule ${index + 1}: ${problem}`);
    else rules.push({ type, value, enabled: entry.opened !== false });
  });
  if (entries.length > LIMITS.maxRules) problems.push(`Only ${LIMITS.maxRules} rules are kept.`);
  return { rules, problems };
}

/** Rules as bilibili's web player exports them. */
export function exportBilibili(rules) {
  return cleanRules(rules).map((rule, i) => ({
    type: BILI_TYPES.indexOf(rule.type),
    filter: rule.value,
    opened: rule.enabled,
    id: i + 1,
  }));
}

/** Adds rules to settings: duplicates skipped, the cap kept. Returns {settings, added, skipped}. */
export function addRules(settings, rules) {
  const s = sanitize(settings);
  const before = s.rules.length;
  const merged = cleanRules([...s.rules, ...rules]);
  return { settings: { ...s, rules: merged }, added: merged.length - before, skipped: rules.length - (merged.length - before) };
}

// ---- this browser's copy -------------------------------------------------------------------------

/** The anonymous viewer's settings; on first use, the keywords and opacity settings.js kept. */
export function loadLocal(storage = globalThis.localStorage) {
  try {
    const text = storage?.getItem(STORAGE_KEY);
    if (text) return sanitize(JSON.parse(text));
    const legacy = JSON.parse(storage?.getItem(LEGACY_KEY) ?? 'null');
    if (legacy && typeof legacy === 'object') {
      const words = Array.isArray(legacy.blocked) ? legacy.blocked : [];
      return sanitize({
        rules: words.map((value) => ({ type: 'keyword', value })),
        opacity: Math.max(0.1, Number(legacy.opacity) || 1),
      });
    }
  } catch {
    // storage disabled or corrupt: the defaults
  }
  return sanitize(null);
}

export function saveLocal(settings, storage = globalThis.localStorage) {
  const clean = sanitize(settings);
  try {
    storage?.setItem(STORAGE_KEY, JSON.stringify(clean));
  } catch {
    // private mode or full: the settings still apply to this page
  }
  return clean;
}
