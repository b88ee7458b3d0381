// The kiosk screen, part 4 of 4: shows the screens the firmware pushes on /events and posts the
// patient's touches to /input (see firmware/screen/web_frontend.hpp for the protocol): the
// chrome around the screens, input, the connection and the start (the live view and the voice
// are kiosk-media.js).
(() => {
  'use strict';

  const K = window.kiosk;
  const { LANGS, DEFAULT_LANG, PIN_LENGTH, WAIT_FALLBACK_MS, DISCONNECT_GRACE_MS, TIMEOUT_WARNING_S,
    PATIENT_PACED, ACTIVITY_INTERVAL_MS, state, SCREENS, t, el, tx, ICONS } = K;
  const { startLiveView, stopLiveView, loadVoiceLanguages, voiceAvailable, stopSpeaking, speak, say, cue } = K.media;

  // ---- extensions ----
  // Scripts loaded before this one may add to the page through window.KioskExtensions, a list of
  // { screens: {step: (screen, kit) => nodes}, idle: (kit) => nodes, result: (screen, kit) => nodes,
  //   actions: {name: (target, kit) => void}, leave: (step) => void }
  // (eligibility-certificate.js: the eligibility-certificate path). The kit is what they may use of the page.
  const EXTENSIONS = Array.isArray(window.KioskExtensions) ? window.KioskExtensions : [];
  const kit = {
    el, tx, t, button: K.button, cancelButton: K.cancelButton, messageBox: K.messageBox,
    send: (body) => send(body), render: () => render(),
  };
  function extensionScreen(step) {
    for (const x of EXTENSIONS) if (x.screens && typeof x.screens[step] === 'function') return (screen) => x.screens[step](screen, kit);
    return null;
  }
  // What extensions add to a screen of this page (the idle screen's buttons, the result's notices).
  function extended(screen, nodes) {
    const extra = [];
    for (const x of EXTENSIONS) {
      if (screen.step === 'idle' && typeof x.idle === 'function') extra.push(x.idle(kit));
      if (screen.step === 'result' && typeof x.result === 'function') extra.push(x.result(screen, kit));
    }
    const added = extra.filter(Boolean);
    if (!added.length) return nodes;
    // Before the screen's own buttons, which stay last.
    const list = [...nodes];
    const last = list.length && list[list.length - 1] && list[list.length - 1].classList &&
      list[list.length - 1].classList.contains('actions') ? list.pop() : null;
    return last ? [...list, ...added, last] : [...list, ...added];
  }

  // ---- chrome around the screens ----
  function renderTools() {
    const brand = document.getElementById('brand');
    brand.replaceChildren(ICONS.card(), tx('span', 'brand-name', 'app.title'));
    const tools = document.getElementById('tools');
    const toggles = [
      ['large', 'toolbar.larger_text', () => el('span', { class: 'tool-glyph', 'aria-hidden': 'true' }, 'A+')],
      ['contrast', 'toolbar.high_contrast', () => el('span', { class: 'tool-glyph', 'aria-hidden': 'true' }, '\u25d1')],
    ];
    if (voiceAvailable() || state.voice) toggles.push(['voice', 'toolbar.voice', ICONS.speaker]);
    tools.replaceChildren(...toggles.map(([name, key, glyph]) =>
      el('button', { type: 'button', class: 'tool', 'data-action': 'toggle', 'data-value': name,
        'aria-pressed': state[name] ? 'true' : 'false' },
        glyph(), tx('span', 'tool-label', key))));
    tools.setAttribute('aria-label', t('toolbar.label'));
  }

  function renderLanguages() {
    const bar = document.getElementById('langbar');
    bar.setAttribute('aria-label', t('lang.choose'));
    bar.replaceChildren(...LANGS.map((lang) => {
      const dict = state.strings[lang] || {};
      const name = typeof dict['lang.native_name'] === 'string' && dict['lang.native_name'] !== ''
        ? dict['lang.native_name'] : '\u27e6lang.native_name\u27e7';
      return el('button', { type: 'button', class: 'lang' + (lang === state.lang ? ' lang-current' : ''),
        'data-action': 'lang', 'data-value': lang, lang, 'aria-pressed': lang === state.lang ? 'true' : 'false' }, name);
    }));
  }

  function render() {
    state.missing.clear();
    if (!state.strings[state.lang]) {  // texts not loaded yet: a spinner, no words
      document.getElementById('main').replaceChildren(el('div', { class: 'progress' }, el('div', { class: 'spinner' })));
      return;
    }
    const screen = state.screen || { step: 'loading' };
    const build = SCREENS[screen.step] || extensionScreen(screen.step) || SCREENS.loading;
    const section = el('section', { class: 'screen screen-' + screen.step }, extended(screen, build(screen)));
    if (state.waiting) section.classList.add('waiting');
    if (state.confirmCancel) section.append(cancelDialog());
    document.getElementById('main').replaceChildren(section);
    renderTools();
    renderLanguages();
    document.title = t('app.title');
    document.documentElement.lang = state.lang;
    document.documentElement.classList.toggle('large-text', state.large);
    document.body.classList.toggle('high-contrast', state.contrast);
    document.body.dataset.step = screen.step;
    document.body.dataset.lang = state.lang;
    renderTimeout();
    renderOverlay();
    document.body.dataset.missing = String(state.missing.size);
    if (state.missing.size) console.error('kiosk: texts missing:', [...state.missing].join(', '));
  }

  function renderOverlay() {
    const overlay = document.getElementById('overlay');
    const show = state.screen !== null && !state.connected && state.disconnectShown;
    overlay.hidden = !show;
    if (show) overlay.replaceChildren(el('div', { class: 'overlay-box' }, el('div', { class: 'spinner' }), tx('p', 'lead', 'status.disconnected')));
  }

  // "Stop the check-in?": where cancelling throws away the work done (registration, consent,
  // prescription). Continuing is the large, first choice; stopping is the cancel style.
  function cancelDialog() {
    return el('div', { class: 'confirm', id: 'cancel-confirm', role: 'alertdialog', 'aria-modal': 'true',
      'aria-labelledby': 'cancel-confirm-title' },
      el('div', { class: 'confirm-box' },
        el('h2', { class: 'title', id: 'cancel-confirm-title', 'data-key': 'cancel.confirm.title' }, t('cancel.confirm.title')),
        tx('p', 'lead', 'cancel.confirm.detail'),
        el('div', { class: 'confirm-actions' },
          K.button('cancel-keep', '', 'btn-primary btn-wide', 'cancel.confirm.keep', null, null),
          K.button('cancel-confirmed', '', 'btn-quiet btn-cancel', 'cancel.confirm.yes', null, ICONS.cross))));
  }

  function renderTimeout() {
    const box = document.getElementById('timeout');
    const resume = document.getElementById('timeout-continue');
    if (!state.timeoutTotal) {
      box.hidden = true;
      resume.hidden = true;
      return;
    }
    const left = Math.max(0, (state.deadline - performance.now()) / 1000);
    box.hidden = false;
    document.getElementById('timeout-bar').style.width = (100 * left / state.timeoutTotal).toFixed(1) + '%';
    const text = document.getElementById('timeout-text');
    const soon = left <= TIMEOUT_WARNING_S;
    box.classList.toggle('timeout-soon', soon);
    text.textContent = soon ? t('common.timeout_soon') : '';
    // Said once per screen, when the warning appears.
    if (soon && state.timeoutSaid !== state.screenId) {
      state.timeoutSaid = state.screenId;
      say('common.timeout_soon');
    }
    // "Continue" on the warning, where a touch restarts the time-out.
    resume.hidden = !(soon && patientPaced());
    if (!resume.hidden) resume.textContent = t('common.timeout_continue');
  }

  // ---- the patient's activity ----
  // A touch that answers nothing yet (a PIN digit, the language, the text size, "continue")
  // restarts the firmware's time-out of the screen: POST /activity, with no body (the digits
  // never leave the page before the PIN is sent), at most once per ACTIVITY_INTERVAL_MS; a touch
  // within that interval is posted at its end.
  function patientPaced() {
    return state.screen !== null && PATIENT_PACED.includes(state.screen.step) && state.timeoutTotal > 0;
  }

  function noteActivity() {
    if (!patientPaced()) return;
    const wait = state.activitySentAt + ACTIVITY_INTERVAL_MS - performance.now();
    if (wait <= 0) {
      postActivity();
    } else if (!state.activityTimer) {
      state.activityTimer = setTimeout(() => {
        state.activityTimer = 0;
        postActivity();
      }, wait);
    }
  }

  async function postActivity() {
    if (!patientPaced()) return;
    const sentAt = performance.now();
    const screenId = state.screenId;
    state.activitySentAt = sentAt;
    try {
      const response = await fetch('/activity', { method: 'POST', cache: 'no-store', credentials: 'omit' });
      const answer = response.ok ? await response.json() : {};
      // The firmware restarted the time-out no earlier than the post: so does the page's bar.
      if (answer.restarted === true && state.screenId === screenId && patientPaced()) {
        state.deadline = sentAt + state.timeoutTotal * 1000;
        renderTimeout();
      }
    } catch (e) {
      // The connection is down: the overlay says so; the time-out is the firmware's.
    }
  }

  // ---- input ----
  function clearPin() {
    K.pin.fill('');
    K.pin = [];
  }

  function updatePinView() {
    const dots = document.getElementById('pin-dots');
    if (!dots) return;
    dots.querySelectorAll('.dot').forEach((d, i) => d.classList.toggle('dot-filled', i < K.pin.length));
    dots.setAttribute('aria-label', t('pin.entered', { n: K.pin.length }));
    const ok = document.getElementById('pin-ok');
    if (ok) ok.disabled = K.pin.length !== PIN_LENGTH;
  }

  function setWaiting(on) {
    state.waiting = on;
    clearTimeout(state.waitTimer);
    const section = document.querySelector('#main .screen');
    if (section) section.classList.toggle('waiting', on);
    if (on) state.waitTimer = setTimeout(() => setWaiting(false), WAIT_FALLBACK_MS);
  }

  async function send(body) {
    state.touchAt = performance.now();
    setWaiting(true);
    try {
      await fetch('/input', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body,
        cache: 'no-store',
        credentials: 'omit',
      });
      // 200: the next screen comes by /events. 409: the screen changed meanwhile; it comes too.
    } catch (e) {
      setWaiting(false);
    }
  }

  function onAction(target) {
    const action = target.dataset.action;
    const value = target.dataset.value;
    if (action === 'continue') return;  // the touch itself was the activity (see the listeners)
    if (action === 'cancel-keep') {
      state.confirmCancel = false;
      render();
      return;
    }
    if (action === 'lang') {
      if (state.strings[value]) state.lang = value;
      render();
      speak();
      return;
    }
    if (action === 'toggle') {
      state[value] = !state[value];
      render();
      if (value === 'voice') speak();
      return;
    }
    if (state.waiting) return;  // one touch per screen
    switch (action) {
      case 'digit':
        if (K.pin.length < PIN_LENGTH) K.pin.push(target.dataset.digit);
        updatePinView();
        return;
      case 'pin-back':
        if (K.pin.length) K.pin[K.pin.length - 1] = '';
        K.pin.pop();
        updatePinView();
        return;
      case 'pin-clear':
        clearPin();
        updatePinView();
        return;
      case 'pin-ok': {
        if (K.pin.length !== PIN_LENGTH) return;
        const body = JSON.stringify({ type: 'pin', value: K.pin.join('') });
        clearPin();
        updatePinView();
        send(body);
        return;
      }
      case 'method':
      case 'prescription':
        send(JSON.stringify({ type: action, value }));
        return;
      case 'answer':
        send(JSON.stringify({ type: 'answer', value: value === 'true' }));
        return;
      case 'cancel':
        if (target.dataset.confirm === 'true' && !state.confirmCancel) {
          state.confirmCancel = true;
          render();
          return;
        }
        state.confirmCancel = false;
        send(JSON.stringify({ type: 'cancel' }));
        return;
      case 'cancel-confirmed':
        state.confirmCancel = false;
        send(JSON.stringify({ type: 'cancel' }));
        return;
      case 'ack':
        send(JSON.stringify({ type: action }));
        return;
      default:
        for (const x of EXTENSIONS) {
          if (x.actions && typeof x.actions[action] === 'function') {
            x.actions[action](target, kit);
            return;
          }
        }
    }
  }

  // Any touch on the page is activity, on a button or not (pointerdown: a finger; click: a
  // script or an assistive device; keydown: a keypad).
  // The click that follows a pointerdown is the same touch.
  document.addEventListener('pointerdown', () => {
    state.pointerAt = performance.now();
    noteActivity();
  }, true);
  document.addEventListener('keydown', noteActivity, true);
  document.addEventListener('click', (ev) => {
    if (performance.now() - state.pointerAt > 1000) noteActivity();
    const target = ev.target.closest('[data-action]');
    if (!target || target.disabled) return;
    ev.preventDefault();
    onAction(target);
  });
  // A physical keypad or keyboard works on the PIN screen too (digits, Backspace, Enter).
  document.addEventListener('keydown', (ev) => {
    if (!state.screen || state.screen.step !== 'pin-entry') return;
    let target = null;
    if (/^[0-9]$/.test(ev.key)) target = document.querySelector('[data-digit="' + ev.key + '"]');
    else if (ev.key === 'Backspace') target = document.querySelector('[data-action="pin-back"]');
    else if (ev.key === 'Enter') target = document.getElementById('pin-ok');
    if (target && !target.disabled) {
      ev.preventDefault();
      onAction(target);
    }
  });
  document.addEventListener('contextmenu', (ev) => ev.preventDefault());

  // ---- screens from the firmware ----
  function resetPatientSettings() {
    state.lang = DEFAULT_LANG;
    state.large = false;
    state.contrast = false;
    state.voice = false;
    stopSpeaking();
  }

  function onScreen(screen, id) {
    const previous = state.screen;
    // The next patient starts with the kiosk's defaults, not the previous patient's choices.
    if (screen.step === 'idle' && previous && previous.step !== 'idle') resetPatientSettings();
    const sameStep = previous && previous.step === screen.step;
    // Face guidance updates the screen without restarting the firmware's time-out.
    if (!(sameStep && screen.step === 'face-capture')) {
      state.timeoutTotal = screen.timeout_seconds || 0;
      state.deadline = performance.now() + state.timeoutTotal * 1000;
    }
    clearPin();
    if (!sameStep) for (const x of EXTENSIONS) if (typeof x.leave === 'function') x.leave(screen.step);
    state.confirmCancel = false;
    if (!sameStep) {  // a touch pending for the screen before is not for this one
      clearTimeout(state.activityTimer);
      state.activityTimer = 0;
    }
    state.screenId = id || '';
    state.screen = screen;
    setWaiting(false);
    render();
    document.body.dataset.seq = id || '';
    // Touch to new screen (POST, the machine, the event stream, the drawing), for staff and tests.
    if (state.touchAt) {
      document.body.dataset.responseMs = (performance.now() - state.touchAt).toFixed(1);
      state.touchAt = 0;
    }
    if (screen.step === 'face-capture') startLiveView(); else stopLiveView();
    if (!sameStep && screen.step === 'reading-card') cue('card');
    else if (!sameStep && (PATIENT_PACED.includes(screen.step) || screen.step === 'face-capture')) cue('attention');
    if (!(sameStep && screen.step === 'face-capture' && previous.guidance === screen.guidance)) speak();
  }

  // The overlay shows when the stream has been down for a moment (the browser retries every
  // second meanwhile); it goes away with the first screen after reconnecting.
  function setConnected(on) {
    state.connected = on;
    if (on) {
      clearTimeout(state.disconnectTimer);
      state.disconnectTimer = 0;
      state.disconnectShown = false;
      renderOverlay();
    } else if (!state.disconnectTimer && !state.disconnectShown) {
      state.disconnectTimer = setTimeout(() => {
        state.disconnectTimer = 0;
        if (!state.connected) state.disconnectShown = true;
        renderOverlay();
      }, DISCONNECT_GRACE_MS);
    }
  }

  function connect() {
    const events = new EventSource('/events');
    events.addEventListener('open', () => setConnected(true));
    events.addEventListener('error', () => setConnected(false));
    events.addEventListener('screen', (ev) => {
      setConnected(true);
      let screen;
      try {
        screen = JSON.parse(ev.data);
      } catch (e) {
        console.error('kiosk: bad screen', e);
        return;
      }
      onScreen(screen, ev.lastEventId);
    });
  }

  async function loadTexts() {
    await Promise.all(LANGS.map(async (lang) => {
      try {
        const response = await fetch('i18n/' + lang + '.json', { cache: 'no-store' });
        if (response.ok) state.strings[lang] = await response.json();
        else console.error('kiosk: no texts for', lang, response.status);
      } catch (e) {
        console.error('kiosk: no texts for', lang, e);
      }
    }));
  }

  async function main() {
    render();
    await loadTexts();
    render();
    loadVoiceLanguages(renderTools);
    connect();
    setInterval(renderTimeout, 250);
  }

  main();
})();
