// The kiosk screen, part 1 of 4 (index.html loads kiosk-base.js, kiosk-screens.js,
// kiosk-media.js, kiosk.js in this order): the namespace `window.kiosk` the four share, the
// page's constants and state, the texts, the DOM helpers and the icons.
//
// Every text comes from i18n/<lang>.json through t("key"): literal keys are written as
// t("...") or tx(..., "...") so that the i18n test can find them; the keys built at run time
// are the message keys of the screens, face.guidance.<guidance>, result.validity.<validity>,
// method.<method> and lang.native_name. A key missing in a language shows as [[key]] (in U+27E6 and U+27E7) and counts
// in <body data-missing>.
//
// The PIN is kept only as digits in `kiosk.pin` while it is typed; the screen shows dots. It
// leaves in one POST and is forgotten at once, and on every new screen.
(() => {
  'use strict';

  const LANGS = ['ja', 'en', 'zh-Hans', 'zh-Hant', 'ko', 'vi', 'pt-BR'];
  const DEFAULT_LANG = 'ja';
  const PIN_LENGTH = 4;
  const WAIT_FALLBACK_MS = 4000;   // buttons come back if no new screen arrived
  const DISCONNECT_GRACE_MS = 1500;
  const TIMEOUT_WARNING_S = 10;
  // The screens whose time-out the patient's touches restart (core::reception::patient_paced);
  // a touch there is posted to /activity, at most once per ACTIVITY_INTERVAL_MS.
  const PATIENT_PACED = ['method-choice', 'pin-entry', 'registration', 'consent', 'prescription', 'number-entry',
    'result', 'notice'];
  const ACTIVITY_INTERVAL_MS = 2000;

  const state = {
    strings: {},
    lang: DEFAULT_LANG,
    large: false,
    contrast: false,
    voice: false,
    screen: null,
    deadline: 0,
    timeoutTotal: 0,
    waiting: false,
    waitTimer: 0,
    connected: false,
    disconnectShown: false,
    disconnectTimer: 0,
    missing: new Set(),
    touchAt: 0,  // when the last input was sent: the next screen tells the response time
    screenId: '',        // the event id of the screen on show
    activitySentAt: -Infinity,  // when the last /activity was posted
    activityTimer: 0,    // a touch within ACTIVITY_INTERVAL_MS of the last post: posted at its end
    pointerAt: -Infinity,  // the last pointerdown (its click is the same touch)
    confirmCancel: false,  // the "stop the check-in?" dialog is open
  };
  const K = {
    LANGS, DEFAULT_LANG, PIN_LENGTH, WAIT_FALLBACK_MS, DISCONNECT_GRACE_MS, TIMEOUT_WARNING_S, state,
    PATIENT_PACED, ACTIVITY_INTERVAL_MS,
    pin: [],  // the digits typed so far; nothing else holds them
  };
  window.kiosk = K;

  // ---- texts ----
  function t(key, params) {
    const dict = state.strings[state.lang] || {};
    let text = dict[key];
    if (typeof text !== 'string' || text === '') {
      state.missing.add(state.lang + ':' + key);
      return '\u27e6' + key + '\u27e7';
    }
    if (params) {
      text = text.replace(/\{([a-z_]+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
    }
    return text;
  }

  function has(key) {
    const dict = state.strings[state.lang] || {};
    return typeof dict[key] === 'string' && dict[key] !== '';
  }

  // ---- DOM helpers ----
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === false || value === null || value === undefined) continue;
      if (name === 'class') node.className = value;
      else node.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function tx(tag, cls, key, params) {
    return el(tag, { class: cls, 'data-key': key }, t(key, params));
  }

  const SVG_NS = 'http://www.w3.org/2000/svg';
  function svg(viewBox, cls, shapes) {
    const root = document.createElementNS(SVG_NS, 'svg');
    root.setAttribute('viewBox', viewBox);
    root.setAttribute('class', cls);
    root.setAttribute('aria-hidden', 'true');
    for (const [tag, attrs] of shapes) {
      const shape = document.createElementNS(SVG_NS, tag);
      for (const [name, value] of Object.entries(attrs)) shape.setAttribute(name, String(value));
      root.append(shape);
    }
    return root;
  }

  const ICONS = {
    card: () => svg('0 0 120 80', 'icon', [
      ['rect', { x: 4, y: 4, width: 112, height: 72, rx: 8, class: 'fill-soft stroke' }],
      ['rect', { x: 14, y: 18, width: 26, height: 32, rx: 3, class: 'fill-accent' }],
      ['rect', { x: 50, y: 20, width: 54, height: 7, rx: 3, class: 'fill-line' }],
      ['rect', { x: 50, y: 34, width: 40, height: 7, rx: 3, class: 'fill-line' }],
      ['rect', { x: 14, y: 58, width: 90, height: 7, rx: 3, class: 'fill-line' }],
    ]),
    reader: () => svg('0 0 200 150', 'illustration', [
      ['rect', { x: 20, y: 86, width: 160, height: 50, rx: 10, class: 'fill-device stroke' }],
      ['rect', { x: 40, y: 96, width: 120, height: 10, rx: 4, class: 'fill-line' }],
      ['rect', { x: 52, y: 22, width: 96, height: 62, rx: 7, class: 'fill-soft stroke card-drop' }],
      ['rect', { x: 60, y: 32, width: 22, height: 28, rx: 3, class: 'fill-accent card-drop' }],
      ['rect', { x: 90, y: 34, width: 48, height: 6, rx: 3, class: 'fill-line card-drop' }],
      ['rect', { x: 90, y: 46, width: 36, height: 6, rx: 3, class: 'fill-line card-drop' }],
    ]),
    remove: () => svg('0 0 200 170', 'illustration', [
      ['rect', { x: 20, y: 110, width: 160, height: 50, rx: 10, class: 'fill-device stroke' }],
      ['rect', { x: 52, y: 40, width: 96, height: 62, rx: 7, class: 'fill-soft stroke card-lift' }],
      ['rect', { x: 60, y: 50, width: 22, height: 28, rx: 3, class: 'fill-accent card-lift' }],
      ['path', { d: 'M100 34 L100 6 M86 20 L100 6 L114 20', class: 'arrow card-lift' }],
    ]),
    face: () => svg('0 0 64 64', 'icon', [
      ['path', { d: 'M6 20 V10 a4 4 0 0 1 4-4 H20 M44 6 H54 a4 4 0 0 1 4 4 V20 M58 44 V54 a4 4 0 0 1-4 4 H44 M20 58 H10 a4 4 0 0 1-4-4 V44', class: 'line' }],
      ['circle', { cx: 32, cy: 30, r: 12, class: 'line' }],
      ['path', { d: 'M18 52 c2-8 8-11 14-11 s12 3 14 11', class: 'line' }],
    ]),
    pin: () => svg('0 0 64 64', 'icon', [
      ['rect', { x: 8, y: 6, width: 48, height: 52, rx: 6, class: 'line' }],
      ['circle', { cx: 20, cy: 20, r: 3.5, class: 'fill-currentcolor' }],
      ['circle', { cx: 32, cy: 20, r: 3.5, class: 'fill-currentcolor' }],
      ['circle', { cx: 44, cy: 20, r: 3.5, class: 'fill-currentcolor' }],
      ['circle', { cx: 20, cy: 32, r: 3.5, class: 'fill-currentcolor' }],
      ['circle', { cx: 32, cy: 32, r: 3.5, class: 'fill-currentcolor' }],
      ['circle', { cx: 44, cy: 32, r: 3.5, class: 'fill-currentcolor' }],
      ['circle', { cx: 32, cy: 46, r: 3.5, class: 'fill-currentcolor' }],
    ]),
    visual: () => svg('0 0 64 64', 'icon', [
      ['circle', { cx: 24, cy: 20, r: 9, class: 'line' }],
      ['path', { d: 'M8 52 c1-11 8-16 16-16 s15 5 16 16', class: 'line' }],
      ['path', { d: 'M38 30 l6 6 l12-14', class: 'line' }],
    ]),
    warning: () => svg('0 0 64 64', 'icon icon-warning', [
      ['path', { d: 'M32 6 L60 56 H4 Z', class: 'warn-fill' }],
      ['path', { d: 'M32 24 V40', class: 'warn-mark' }],
      ['circle', { cx: 32, cy: 48, r: 3, class: 'warn-dot' }],
    ]),
    check: () => svg('0 0 64 64', 'icon icon-check', [
      ['circle', { cx: 32, cy: 32, r: 28, class: 'ok-fill' }],
      ['path', { d: 'M18 33 l9 9 l19-20', class: 'ok-mark' }],
    ]),
    info: () => svg('0 0 64 64', 'icon icon-info', [
      ['circle', { cx: 32, cy: 32, r: 28, class: 'info-fill' }],
      ['path', { d: 'M32 28 V46', class: 'info-mark' }],
      ['circle', { cx: 32, cy: 19, r: 3, class: 'info-dot' }],
    ]),
    electronic: () => svg('0 0 64 64', 'icon', [
      ['rect', { x: 16, y: 4, width: 32, height: 56, rx: 6, class: 'line' }],
      ['path', { d: 'M24 18 H40 M24 28 H40 M24 38 H34', class: 'line' }],
      ['circle', { cx: 32, cy: 51, r: 2.5, class: 'fill-currentcolor' }],
    ]),
    paper: () => svg('0 0 64 64', 'icon', [
      ['path', { d: 'M14 4 H40 L52 16 V60 H14 Z', class: 'line' }],
      ['path', { d: 'M40 4 V16 H52 M22 28 H44 M22 38 H44 M22 48 H36', class: 'line' }],
    ]),
    speaker: () => svg('0 0 64 64', 'icon icon-tool', [
      ['path', { d: 'M10 24 H22 L36 12 V52 L22 40 H10 Z', class: 'fill-currentcolor' }],
      ['path', { d: 'M44 22 c6 6 6 14 0 20 M50 14 c10 10 10 26 0 36', class: 'line' }],
    ]),
    globe: () => svg('0 0 64 64', 'icon icon-inline', [
      ['circle', { cx: 32, cy: 32, r: 26, class: 'line' }],
      ['path', { d: 'M6 32 H58 M32 6 c-10 9-10 43 0 52 M32 6 c10 9 10 43 0 52', class: 'line' }],
    ]),
    cross: () => svg('0 0 64 64', 'icon icon-cross', [
      ['path', { d: 'M18 18 L46 46 M46 18 L18 46', class: 'line' }],
    ]),
    staff: () => svg('0 0 64 64', 'icon', [
      ['circle', { cx: 32, cy: 20, r: 10, class: 'line' }],
      ['path', { d: 'M12 58 c1-14 10-20 20-20 s19 6 20 20', class: 'line' }],
    ]),
  };


  Object.assign(K, { t, has, el, tx, svg, ICONS });
})();
