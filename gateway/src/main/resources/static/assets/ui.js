// Small DOM and formatting helpers shared by the pages. User-supplied text only ever reaches the
// page through textContent or attribute values, never through innerHTML.

/**
 * Creates an element. attrs: `class`, `text` (textContent), `dataset`, `style` (an object of CSS
 * properties), on<event> handlers, any other
 * attribute (false/null skipped). Children may be nodes or strings (inserted as text).
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    // CSSOM rather than a style attribute, so a strict Content-Security-Policy still allows it.
    else if (key === 'style') for (const [prop, v] of Object.entries(value)) node.style.setProperty(prop, String(v));
    else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child == null || child === false) continue;
    node.append(child);
  }
  return node;
}

export const $ = (selector, root = document) => root.querySelector(selector);

/** 83000 → "1:23", 3723000 → "1:02:03"; unknown → "–:––". */
export function formatDuration(ms) {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) return '–:––';
  const total = Math.floor(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

export function formatDate(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return date.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
}

/** Shows a message in a status element; kind is 'error', 'ok' or 'info'. Empty text hides it. */
export function setStatus(node, text, kind = 'info') {
  if (!node) return;
  node.textContent = text || '';
  node.dataset.kind = kind;
  node.hidden = !text;
}

/** Disables a form's controls while `work` runs, so a double click cannot submit twice. */
export async function whileBusy(form, work) {
  const controls = [...form.elements].filter((c) => !c.disabled);
  controls.forEach((c) => (c.disabled = true));
  form.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } finally {
    controls.forEach((c) => (c.disabled = false));
    form.removeAttribute('aria-busy');
  }
}
