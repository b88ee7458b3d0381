// The staff pages (firmware/screen/web_frontend.hpp, "Staff side"): a passcode pad to log in,
// visual-check mode with its remaining time and the confirmation of a waiting check, the
// reception desk (today's receptions, live by /staff/desk/events) and the diagnostics report.
// The session is an HttpOnly cookie: this script never sees it. The passcode is kept only while
// it is typed and leaves in one POST. A tap anywhere tells the kiosk the staff member is active
// (/staff/activity, at most every ACTIVITY_MS): the session ends after idle minutes, not while
// someone works. The status is polled every second, but the page is rebuilt only when what it
// shows changes, so a tap never lands on a button being replaced. A patient waiting for a visual
// check is announced on every page, with a sound.
(() => {
  'use strict';

  const LANGS = ['ja', 'en', 'zh-Hans', 'zh-Hant', 'ko', 'vi', 'pt-BR'];
  const REFRESH_MS = 1000;
  const ACTIVITY_MS = 15000;
  const strings = {};
  let lang = 'ja';
  let page = location.pathname === '/desk' ? 'desk' : 'visual';
  let status = null;      // the last /staff/status answer, null: logged out
  let passcode = [];      // the characters typed so far
  let staffIds = [];      // the configured staff ids (/staff/accounts), for the login list
  let confirmPad = null;  // the passcode typed again to confirm a visual check, null: no pad shown
  let confirmNote = null; // [key, params] under that pad
  let staffId = '';
  let loginNote = null;   // [key, params] shown under the pad
  let deskRows = [];
  let deskSince = '';
  let desk = null;        // the EventSource of the desk
  let diagnostics = null; // the last report, or [key] when it could not be had
  let statusTimer = 0;
  let lastActivity = 0;   // when the last /staff/activity was sent
  let shown = '';         // what the page shows, as rendered last (see view())
  let waitingBefore = false;

  function t(key, params) {
    const text = (strings[lang] || {})[key];
    if (typeof text !== 'string' || text === '') {
      document.body.dataset.missing = String(Number(document.body.dataset.missing) + 1);
      return '\u27e6' + key + '\u27e7';
    }
    return params ? text.replace(/\{([a-z_]+)\}/g, (m, n) => (n in params ? String(params[n]) : m)) : text;
  }

  function node(tag, cls, ...children) {
    const n = document.createElement(tag);
    if (cls) n.className = cls;
    for (const c of children.flat()) if (c !== null && c !== undefined) n.append(c instanceof Node ? c : String(c));
    return n;
  }

  function button(cls, key, onClick, params) {
    const b = node('button', cls, t(key, params));
    b.type = 'button';
    b.dataset.key = key;
    b.addEventListener('click', onClick);
    return b;
  }

  async function call(method, path, body) {
    const init = { method, headers: {}, cache: 'no-store', credentials: 'same-origin' };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    let json = null;
    try { json = await response.json(); } catch (e) { json = null; }
    return { status: response.status, json };
  }

  // ---- session ----
  async function refreshStatus() {
    try {
      const r = await call('GET', '/staff/status');
      if (r.status === 200) {
        status = r.json;
      } else {
        if (r.status === 503) loginNote = ['staff.login.unavailable'];
        loggedOut();
      }
    } catch (e) {
      loginNote = ['staff.error'];
    }
    const waiting = Boolean(status && status.step === 'visual-check');
    if (waiting && !waitingBefore) chime();
    waitingBefore = waiting;
    if (view() !== shown) render();
  }

  // What the page shows of the status (minutes, not seconds): the page is rebuilt when it changes.
  function view() {
    if (!status) return 'login:' + JSON.stringify(loginNote);
    const v = status.visual_check || {};
    return [status.staff_id, Math.ceil(status.session_seconds / 60), status.step, v.on, Math.ceil((v.seconds_left || 0) / 60),
      v.staff_id, page, lang].join('|');
  }

  // Two short tones (Web Audio: nothing to load); silent where the browser allows no sound yet.
  function chime() {
    try {
      const audio = new (window.AudioContext || window.webkitAudioContext)();
      [0, 0.35].forEach((at, i) => {
        const tone = audio.createOscillator();
        const gain = audio.createGain();
        tone.frequency.value = i === 0 ? 880 : 660;
        gain.gain.setValueAtTime(0.2, audio.currentTime + at);
        gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + at + 0.3);
        tone.connect(gain).connect(audio.destination);
        tone.start(audio.currentTime + at);
        tone.stop(audio.currentTime + at + 0.3);
      });
      document.body.dataset.chimes = String(Number(document.body.dataset.chimes || 0) + 1);
    } catch (e) { /* no audio output */ }
  }

  // A tap on a logged-in page: the session goes on (the kiosk counts idle minutes from the last one).
  function activity() {
    const every = Math.min(ACTIVITY_MS, ((status && status.idle_seconds) || 300) * 250);  // a quarter of the idle time
    if (!status || Date.now() - lastActivity < every) return;
    lastActivity = Date.now();
    call('POST', '/staff/activity').then((r) => { if (r.status === 401) { loggedOut(); render(); } }).catch(() => {});
  }

  function loggedOut() {
    status = null;
    if (desk) { desk.close(); desk = null; }
  }

  async function login() {
    const typed = passcode.join('');
    passcode = [];
    try {
      const r = await call('POST', '/staff/login', { staff_id: staffId, passcode: typed });
      if (r.status === 200) {
        loginNote = null;
        await refreshStatus();
        if (page === 'desk') openDesk();
        return;
      }
      if (r.status === 429) loginNote = ['staff.login.locked', { minutes: Math.ceil((r.json.retry_after_seconds || 60) / 60) }];
      else if (r.status === 503) loginNote = ['staff.login.unavailable'];
      else loginNote = ['staff.login.wrong'];
    } catch (e) {
      loginNote = ['staff.error'];
    }
    render();
  }

  async function logout() {
    try { await call('POST', '/staff/logout'); } catch (e) { /* the session ends by itself */ }
    loggedOut();
    render();
  }

  // ---- actions ----
  async function switchVisual(on) {
    const r = await call('POST', '/staff/visual-check', { on });
    if (r.status === 200) status = r.json; else if (r.status === 401) loggedOut();
    render();
  }

  // Declining needs no passcode; confirming asks for the staff member's passcode again.
  async function confirmVisual(confirmed) {
    const body = { confirmed };
    if (confirmed) {
      body.passcode = confirmPad.join('');
      confirmPad = [];
    }
    const r = await call('POST', '/staff/visual-confirm', body);
    if (r.status === 401) loggedOut();
    if (r.status === 200 || r.status === 409 || !confirmed) { confirmPad = null; confirmNote = null; }
    else if (r.status === 403) confirmNote = ['staff.visual.passcode_wrong'];
    else if (r.status === 429) { confirmPad = null; loginNote = ['staff.login.locked', { minutes: Math.ceil(((r.json || {}).retry_after_seconds || 60) / 60) }]; }
    render();
    await refreshStatus();
  }

  async function loadStaffIds() {
    try {
      const r = await call('GET', '/staff/accounts');
      staffIds = r.status === 200 && Array.isArray(r.json.ids) ? r.json.ids : [];
    } catch (e) {
      staffIds = [];
    }
  }

  function openDesk() {
    if (desk || !status) return;
    desk = new EventSource('/staff/desk/events');
    desk.addEventListener('desk', (e) => {
      const update = JSON.parse(e.data);
      if (update.reset) deskRows = [];
      deskSince = update.since;
      deskRows = deskRows.concat(update.rows);
      if (page === 'desk') render();
    });
    desk.onerror = () => { if (desk && desk.readyState === EventSource.CLOSED) { desk = null; refreshStatus(); } };
  }

  async function runDiagnostics() {
    diagnostics = ['staff.diag.running'];
    render();
    try {
      const r = await call('GET', '/staff/diagnostics');
      diagnostics = r.status === 200 ? r.json : r.status === 401 ? null : ['staff.diag.unavailable'];
      if (r.status === 401) loggedOut();
    } catch (e) {
      diagnostics = ['staff.error'];
    }
    render();
  }

  // ---- pages ----
  function loginPage() {
    const id = node('input', 'staff-id');
    id.id = 'staff-id';
    id.autocomplete = 'username';
    id.value = staffId;
    id.setAttribute('aria-label', t('staff.login.id'));
    id.addEventListener('input', () => { staffId = id.value; });
    // Tap your id (no keyboard needed); the field stays for a reader with a keyboard.
    const list = staffIds.length ? node('div', 'staff-ids', staffIds.map((sid) => {
      const b = node('button', sid === staffId ? 'btn staff-id-choice chosen' : 'btn staff-id-choice', sid);
      b.type = 'button';
      b.dataset.staffId = sid;
      b.setAttribute('aria-pressed', String(sid === staffId));
      b.addEventListener('click', () => { staffId = sid; render(); });
      return b;
    })) : null;
    const dots = node('div', 'dots', passcode.map(() => node('span', 'dot dot-filled')));
    dots.id = 'passcode-dots';
    const pad = keypad(passcode);
    const submit = button('btn btn-primary', 'staff.login.submit', login);
    submit.id = 'staff-login';
    submit.disabled = passcode.length < 6;  // staff passcodes are 6 to 32 digits
    return node('section', 'screen staff-login',
      node('h1', 'title', t('staff.login.title')),
      node('label', 'staff-label', t(list ? 'staff.login.choose' : 'staff.login.id')), list, id,
      node('label', 'staff-label', t('staff.login.passcode')), dots, pad, submit,
      loginNote ? node('p', 'staff-note', t(loginNote[0], loginNote[1])) : null);
  }

  // A digit pad that types into `typed` (the login's passcode or the confirmation's).
  function keypad(typed) {
    const pad = node('div', 'keypad');
    const digit = (d) => {
      const b = node('button', 'key', d);
      b.type = 'button';
      b.dataset.digit = d;
      b.addEventListener('click', () => { if (typed.length < 32) typed.push(d); render(); });
      return b;
    };
    for (const d of ['1', '2', '3', '4', '5', '6', '7', '8', '9']) pad.append(digit(d));
    pad.append(button('key key-fn', 'staff.login.clear', () => { typed.length = 0; render(); }));
    pad.append(digit('0'));
    pad.append(button('key key-fn', 'staff.login.back', () => { typed.pop(); render(); }));
    return pad;
  }

  function visualPage() {
    const v = status.visual_check;
    const minutes = Math.ceil(v.seconds_left / 60);
    const state = v.on
      ? node('p', 'staff-state on', t('staff.visual.on', { minutes, staff: v.staff_id }))
      : node('p', 'staff-state off', t('staff.visual.off'));
    state.id = 'visual-state';
    const toggle = v.on ? button('btn', 'staff.visual.disable', () => switchVisual(false))
                        : button('btn btn-primary', 'staff.visual.enable', () => switchVisual(true));
    toggle.id = 'visual-toggle';
    let waiting = null;
    if (status.step !== 'visual-check') {
      confirmPad = null;
      confirmNote = null;
    } else if (confirmPad) {
      const dots = withId(node('div', 'dots', confirmPad.map(() => node('span', 'dot dot-filled'))), 'confirm-dots');
      const submit = withId(button('btn btn-primary', 'staff.visual.passcode_submit', () => confirmVisual(true)), 'visual-confirm-submit');
      submit.disabled = confirmPad.length < 6;
      waiting = node('div', 'staff-waiting', node('p', 'lead', t('staff.visual.passcode_prompt')), dots, keypad(confirmPad),
        node('div', 'choices', submit,
          withId(button('btn', 'staff.visual.passcode_back', () => { confirmPad = null; confirmNote = null; render(); }), 'visual-confirm-back')),
        confirmNote ? node('p', 'staff-note', t(confirmNote[0], confirmNote[1])) : null);
    } else {
      waiting = node('div', 'staff-waiting', node('p', 'lead', t('staff.visual.waiting')),
        node('div', 'choices',
          withId(button('btn btn-primary', 'staff.visual.confirm', () => { confirmPad = []; render(); }), 'visual-confirm'),
          withId(button('btn', 'staff.visual.decline', () => confirmVisual(false)), 'visual-decline')));
    }
    return node('section', 'screen staff-visual', node('h1', 'title', t('staff.visual.title')), state, toggle, waiting);
  }

  function withId(n, id) { n.id = id; return n; }

  function deskPage() {
    openDesk();
    const head = node('tr', null, ['staff.desk.time', 'staff.desk.method', 'staff.desk.status', 'staff.desk.code',
      'staff.desk.outcome'].map((k) => node('th', null, t(k))));
    const STATES = { done: 'staff.desk.completed', counter: 'staff.desk.counter', 'not-completed': 'staff.desk.not_completed' };
    const rows = deskRows.slice().reverse().map((r) => {
      const state = STATES[r.state] ? r.state : 'not-completed';
      const outcome = node('td', null, r.outcome_key ? t(r.outcome_key) : r.outcome);
      outcome.title = r.outcome;  // the journal's own words, for the technician
      const tr = node('tr', state === 'done' ? 'done' : state === 'counter' ? 'counter' : 'ended',
        node('td', null, r.time),
        node('td', null, r.method ? t('method.' + r.method) : ''),
        node('td', 'state', t(STATES[state])),
        node('td', null, r.message_code ? '\u3010' + r.message_code + '\u3011' : ''),
        outcome);
      tr.dataset.event = r.event;
      tr.dataset.state = state;
      return tr;
    });
    const table = node('table', 'desk-table', node('thead', null, head), node('tbody', null, rows));
    table.id = 'desk-table';
    return node('section', 'screen staff-desk', node('h1', 'title', t('staff.desk.title')),
      deskSince ? node('p', 'staff-since', t('staff.desk.since', { date: deskSince.slice(0, 10) })) : null,
      deskRows.length ? table : node('p', 'staff-note', t('staff.desk.empty')));
  }

  function diagPage() {
    const run = withId(button('btn btn-primary', 'staff.diag.run', runDiagnostics), 'diag-run');
    let body = null;
    if (Array.isArray(diagnostics)) {
      body = node('p', 'staff-note', t(diagnostics[0]));
    } else if (diagnostics) {
      // Area, check and advice in the page's language where the kiosk gave their keys
      // (firmware/screen/diag_texts.cpp); the English otherwise, and for what was measured.
      const said = (key, english) => (key ? t(key) : english);
      const rows = (diagnostics.checks || []).map((c) => {
        const check = said(c.check_key, c.check) + (c.check_key && c.check_detail ? ' ' + c.check_detail : '');
        const tr = node('tr', 'diag-' + String(c.result).toLowerCase(), node('td', null, said(c.area_key, c.area)),
          node('td', null, check), node('td', null, c.result), node('td', null, c.measured),
          node('td', null, said(c.action_key, c.action)));
        return tr;
      });
      const head = node('tr', null, ['staff.diag.area', 'staff.diag.check', 'staff.diag.result', 'staff.diag.measured',
        'staff.diag.action'].map((k) => node('th', null, t(k))));
      body = node('div', null, withId(node('p', 'staff-state', t('staff.diag.overall', { result: diagnostics.overall })), 'diag-overall'),
        node('table', 'desk-table', node('thead', null, head), node('tbody', null, rows)));
    }
    return node('section', 'screen staff-diag', node('h1', 'title', t('staff.diag.title')), run, body);
  }

  const PAGES = { visual: ['staff.nav.visual', visualPage], desk: ['staff.nav.desk', deskPage], diag: ['staff.nav.diag', diagPage] };

  function render() {
    document.documentElement.lang = lang;
    document.title = t('staff.title');
    document.body.dataset.page = status ? page : 'login';
    document.getElementById('brand').replaceChildren(t('staff.title'));
    const nav = document.getElementById('nav');
    nav.replaceChildren();
    if (status) {
      for (const [name, [key]] of Object.entries(PAGES)) {
        const b = button(name === page ? 'tool active' : 'tool', key, () => { page = name; render(); });
        b.id = 'nav-' + name;
        nav.append(b);
      }
      nav.append(node('span', 'staff-who', t('staff.session.who', { staff: status.staff_id, minutes: Math.ceil(status.session_seconds / 60) })));
      nav.append(withId(button('tool', 'staff.logout', logout), 'staff-logout'));
    }
    const main = document.getElementById('main');
    main.replaceChildren(status ? PAGES[page][1]() : loginPage());
    if (status && status.step === 'visual-check' && page !== 'visual') {
      main.firstElementChild.prepend(withId(node('div', 'staff-banner', node('p', 'lead', t('staff.desk.waiting_banner')),
        button('btn btn-primary', 'staff.desk.waiting_go', () => { page = 'visual'; render(); })), 'waiting-banner'));
    }
    shown = view();
    const bar = document.getElementById('langbar');
    bar.replaceChildren(...LANGS.map((l) => {
      const b = node('button', l === lang ? 'lang active' : 'lang', (strings[l] || {})['lang.native_name'] || l);
      b.type = 'button';
      b.dataset.value = l;
      b.addEventListener('click', () => { lang = l; render(); });
      return b;
    }));
  }

  async function start() {
    await Promise.all(LANGS.map(async (l) => {
      try {
        const r = await fetch('i18n/' + l + '.json', { cache: 'no-store' });
        strings[l] = await r.json();
      } catch (e) {
        strings[l] = {};
      }
    }));
    await loadStaffIds();
    await refreshStatus();
    render();
    document.addEventListener('pointerdown', activity, true);
    document.addEventListener('keydown', activity, true);
    clearInterval(statusTimer);
    statusTimer = setInterval(() => { if (status) refreshStatus(); }, REFRESH_MS);
  }

  document.addEventListener('DOMContentLoaded', start);
})();
