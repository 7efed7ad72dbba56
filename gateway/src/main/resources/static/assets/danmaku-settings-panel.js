// The watch page's danmaku settings panel: applies the viewer's settings to the overlay (history and
// live alike: the engine filters every item it is about to show) and keeps them where they belong:
// this browser's localStorage for an anonymous viewer, user-service for a signed-in one (versioned, so
// two devices never silently overwrite each other). Logging in with settings of this browser that the
// account does not have offers to keep them.

import { ApiError, api, apiResponse, errorMessage } from './api.js';
import {
  AREAS, LIMITS, RepeatMerger, addRules, buildFilter, exportBilibili, isDefault, layerBottom, loadLocal, parseBilibili,
  ruleProblem, sameSettings, sanitize, saveLocal, toDocument,
} from './danmaku-settings.js';
import { $, el, setStatus } from './ui.js';

const ENDPOINT = '/api/v1/users/me/danmaku-settings';
const SAVE_DELAY_MS = 400; // a slider's drag becomes one PUT
const MAX_IMPORT_BYTES = 1024 * 1024;

async function fetchAccount() {
  return sanitize(await api(ENDPOINT));
}

async function putAccount(settings) {
  const { body } = await apiResponse(ENDPOINT, {
    method: 'PUT',
    body: toDocument(settings),
    headers: { 'If-Match': `"${settings.version}"` },
  });
  return sanitize(body);
}

/**
 * Wires the panel to `engine` (a DanmakuEngine) and `layer` (its element). `onUserChange` is session.js's;
 * `onApply(filter)` is told after every change (the list panel filters with it too). Returns
 * {settings(), filter()} for the page and its tests.
 */
export function initViewerSettings({ engine, layer, onUserChange, onApply = () => {} }) {
  let settings = loadLocal();
  let filter = buildFilter(settings);
  let user = null;
  let saveTimer = null;
  let saving = Promise.resolve();
  const merger = new RepeatMerger();
  const status = $('#rule-status');

  function apply(next, { persist = true } = {}) {
    settings = sanitize(next);
    filter = buildFilter(settings);
    engine.setFilter(filter.accepts);
    engine.setMerger(settings.mergeRepeats ? merger : null);
    engine.setSpeed(settings.speed);
    engine.setFontScale(settings.fontScale);
    engine.setOpacity(settings.opacity);
    layer.style.bottom = `${layerBottom(settings)}%`;
    layer.dataset.area = String(settings.displayArea);
    render();
    if (persist) {
      saveLocal(settings);
      if (user) scheduleSave();
    }
    onApply(filter.accepts);
  }

  // ---- the account -------------------------------------------------------------------------------

  function scheduleSave() {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(() => {
      saveTimer = null;
      saving = saving.then(save, save);
    }, SAVE_DELAY_MS);
  }

  async function save() {
    if (!user) return;
    const sent = settings;
    try {
      const saved = await putAccount(sent);
      // keep what changed while the PUT was on its way; only the version is the server's
      settings = { ...settings, version: saved.version };
      saveLocal(settings);
      $('#danmaku-settings').dataset.saved = String(saved.version);
      setSource();
    } catch (error) {
      if (error instanceof ApiError && error.status === 412) {
        // changed on another device since we read them: theirs are newer; show them
        await loadAccount();
        setStatus(status, 'Your settings were changed on another device; these are the latest. Make your change again.', 'info');
      } else {
        setStatus(status, `Your settings could not be saved. ${errorMessage(error)}`, 'error');
      }
    }
  }

  async function loadAccount() {
    try {
      const account = await fetchAccount();
      const local = loadLocal();
      // version 0 here means "made while signed out" (a signed-in copy carries the account's version):
      // such settings, when they differ from the account's, are offered for keeping
      if (local.version === 0 && !isDefault(local) && !sameSettings(local, account)) offer(local, account);
      apply(account, { persist: false });
      if ($('#settings-offer').hidden) saveLocal(settings);
      setSource();
    } catch (error) {
      setStatus(status, `Your account's settings could not be loaded; this browser's apply. ${errorMessage(error)}`, 'error');
    }
  }

  /** This browser had settings of its own when the viewer logged in: keep them, or take the account's. */
  function offer(local, account) {
    const box = $('#settings-offer');
    box.hidden = false;
    $('#danmaku-settings').open = true;
    $('#settings-offer-keep').onclick = () => {
      box.hidden = true;
      apply({ ...local, version: account.version });
    };
    $('#settings-offer-account').onclick = () => {
      box.hidden = true;
      saveLocal(settings); // the account's, applied already
    };
  }

  function setSource() {
    const source = $('#settings-source');
    source.textContent = user ? '· saved to your account' : '· saved in this browser';
    source.dataset.source = user ? 'account' : 'browser';
  }

  onUserChange((next) => {
    const was = user;
    user = next ?? null;
    if (user && (!was || String(was.id) !== String(user.id))) loadAccount();
    if (!user) {
      $('#settings-offer').hidden = true;
      // what this browser keeps from now on is the signed-out viewer's again
      if (was) apply({ ...settings, version: 0 });
      setSource();
    }
  });

  // ---- the form ----------------------------------------------------------------------------------

  const modeBoxes = { SCROLL: '#setting-show-scroll', TOP: '#setting-show-top', BOTTOM: '#setting-show-bottom' };

  function render() {
    for (const [mode, selector] of Object.entries(modeBoxes)) $(selector).checked = !settings.hiddenModes.includes(mode);
    $('#setting-hide-colored').checked = settings.hideColored;
    $('#setting-merge').checked = settings.mergeRepeats;
    $('#setting-subtitle-safe').checked = settings.subtitleSafe;
    $('#setting-area').value = String(settings.displayArea);
    $('#setting-speed').value = String(settings.speed);
    $('#setting-speed-value').textContent = `${settings.speed}×`;
    $('#setting-font').value = String(settings.fontScale);
    $('#setting-font-value').textContent = `${Math.round(settings.fontScale * 100)}%`;
    $('#setting-opacity').value = String(settings.opacity);
    $('#setting-opacity-value').textContent = `${Math.round(settings.opacity * 100)}%`;
    renderRules();
  }

  function renderRules() {
    const list = $('#rule-list');
    const unsupported = new Set(filter.unsupported);
    list.replaceChildren(
      ...settings.rules.map((rule, index) =>
        el(
          'li',
          { class: 'rule-row', dataset: { type: rule.type, value: rule.value } },
          el('input', {
            type: 'checkbox',
            checked: rule.enabled,
            title: 'Apply this rule',
            'aria-label': `Apply the ${rule.type} rule ${rule.value}`,
            onchange: (event) => updateRule(index, { ...rule, enabled: event.target.checked }),
          }),
          el('span', { class: 'rule-type', text: rule.type }),
          el('code', { class: 'rule-value', text: rule.type === 'regex' ? `/${rule.value}/` : rule.value }),
          unsupported.has(rule.value) && rule.type === 'regex'
            ? el('span', { class: 'rule-note', text: 'not applied in this browser' })
            : '',
          el('button', {
            type: 'button',
            class: 'button ghost small',
            text: 'Remove',
            'aria-label': `Remove the ${rule.type} rule ${rule.value}`,
            onclick: () => apply({ ...settings, rules: settings.rules.filter((_, i) => i !== index) }),
          }),
        ),
      ),
    );
    $('#rule-count').textContent = `${settings.rules.length} of ${LIMITS.maxRules} rules`;
  }

  function updateRule(index, rule) {
    apply({ ...settings, rules: settings.rules.map((r, i) => (i === index ? rule : r)) });
  }

  function switchModes() {
    return Object.entries(modeBoxes)
      .filter(([, selector]) => !$(selector).checked)
      .map(([mode]) => mode);
  }

  function fromForm(patch) {
    apply({ ...settings, ...patch });
  }

  for (const selector of Object.values(modeBoxes)) {
    $(selector).addEventListener('change', () => fromForm({ hiddenModes: switchModes() }));
  }
  $('#setting-hide-colored').addEventListener('change', (e) => fromForm({ hideColored: e.target.checked }));
  $('#setting-merge').addEventListener('change', (e) => fromForm({ mergeRepeats: e.target.checked }));
  $('#setting-subtitle-safe').addEventListener('change', (e) => fromForm({ subtitleSafe: e.target.checked }));
  $('#setting-area').addEventListener('change', (e) => fromForm({ displayArea: Number(e.target.value) }));
  $('#setting-speed').addEventListener('input', (e) => fromForm({ speed: Number(e.target.value) }));
  $('#setting-font').addEventListener('input', (e) => fromForm({ fontScale: Number(e.target.value) }));
  $('#setting-opacity').addEventListener('input', (e) => fromForm({ opacity: Number(e.target.value) }));
  $('#setting-area').replaceChildren(
    ...AREAS.map((area) => el('option', { value: String(area), text: area === 100 ? 'Full picture' : `${area} %` })),
  );

  $('#rule-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const type = $('#rule-type').value;
    let value = $('#rule-value').value.trim();
    if (type === 'regex' && value.length > 2 && value.startsWith('/') && value.endsWith('/')) value = value.slice(1, -1);
    const problem = ruleProblem(type, value);
    if (problem) {
      setStatus(status, problem, 'error');
      return;
    }
    const { settings: next, added } = addRules(settings, [{ type, value, enabled: true }]);
    if (!added) {
      setStatus(status, settings.rules.length >= LIMITS.maxRules ? `At most ${LIMITS.maxRules} rules are kept.` : 'That rule is already there.', 'error');
      return;
    }
    setStatus(status, '');
    $('#rule-value').value = '';
    apply(next);
  });

  $('#rule-import').addEventListener('change', async (event) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    if (file.size > MAX_IMPORT_BYTES) {
      setStatus(status, 'That file is too large for a rule list.', 'error');
      return;
    }
    let json;
    try {
      json = JSON.parse(await file.text());
    } catch {
      setStatus(status, 'That file is not JSON.', 'error');
      return;
    }
    if (user) {
      try {
        clearTimeout(saveTimer);
        await saving;
        const result = await api(`${ENDPOINT}/import`, { method: 'POST', body: json });
        apply(sanitize(result.settings), { persist: false });
        saveLocal(settings);
        setStatus(status, `Imported ${result.imported} rules (${result.duplicates} were already there).`, 'ok');
      } catch (error) {
        setStatus(status, errorMessage(error), 'error');
      }
      return;
    }
    const { rules, problems } = parseBilibili(json);
    const { settings: next, added, skipped } = addRules(settings, rules);
    apply(next);
    const left = problems.length ? ` Left out: ${problems.slice(0, 3).join(' ')}` : '';
    setStatus(status, `Imported ${added} rules (${skipped} were already there or over the limit).${left}`, problems.length ? 'error' : 'ok');
  });

  $('#rule-export').addEventListener('click', () => {
    const blob = new Blob([JSON.stringify(exportBilibili(settings.rules))], { type: 'application/json' });
    const link = el('a', { href: URL.createObjectURL(blob), download: 'barrage-danmaku-rules.json' });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  });

  // another tab of this browser changed them (anonymous): follow
  window.addEventListener('storage', (event) => {
    if (event.key && event.key.startsWith('barrage.danmaku.viewer') && !user) apply(loadLocal(), { persist: false });
  });
  // coming back to the tab: another device may have changed the account's settings
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && user && saveTimer === null) loadAccount();
  });

  apply(settings, { persist: false });
  setSource();
  return {
    settings: () => ({ ...settings, rules: settings.rules.map((r) => ({ ...r })) }),
    filter: () => filter.accepts,
  };
}
