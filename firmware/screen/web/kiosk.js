// The kiosk screen: shows the screens the firmware pushes on /events and posts the patient's
// touches to /input (see firmware/screen/web_frontend.hpp for the protocol).
//
// Every text comes from i18n/<lang>.json through t("key"): literal keys are written as
// t("...") or tx(..., "...") so that the i18n test can find them; the keys built at run time
// are the message keys of the screens, face.guidance.<guidance>, result.validity.<validity>,
// method.<method> and lang.native_name. A key missing in a language shows as [[key]] (in U+27E6 and U+27E7) and counts
// in <body data-missing>.
//
// The PIN is kept only as digits in `pin` while it is typed; the screen shows dots. It leaves
// in one POST and is forgotten at once, and on every new screen.
(() => {
  'use strict';

  const LANGS = ['ja', 'en', 'zh-Hans', 'zh-Hant', 'ko', 'vi', 'pt-BR'];
  const DEFAULT_LANG = 'ja';
  const PIN_LENGTH = 4;
  const WAIT_FALLBACK_MS = 4000;   // buttons come back if no new screen arrived
  const DISCONNECT_GRACE_MS = 1500;
  const TIMEOUT_WARNING_S = 10;
  // Voices that read each language (BCP 47 prefixes, best first); none: no voice guidance.
  const VOICE_LANGS = {
    ja: ['ja'],
    en: ['en'],
    'zh-Hans': ['zh-cn', 'cmn-hans', 'cmn', 'zh-sg'],
    'zh-Hant': ['zh-tw', 'zh-hk', 'cmn-hant', 'yue'],
    ko: ['ko'],
    vi: ['vi'],
    'pt-BR': ['pt-br', 'pt'],
  };

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
  };
  let pin = [];  // the digits typed so far; nothing else holds them

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
    staff: () => svg('0 0 64 64', 'icon', [
      ['circle', { cx: 32, cy: 20, r: 10, class: 'line' }],
      ['path', { d: 'M12 58 c1-14 10-20 20-20 s19 6 20 20', class: 'line' }],
    ]),
  };

  // ---- building blocks of the screens ----
  function messageKey(screen) {
    return screen.message ? screen.message.key : null;
  }

  // A numbered message: its code in lenticular brackets (U+3010, U+3011) and its text; with its next step when `withNext`.
  function messageBox(screen, kind, withNext) {
    if (!screen.message) return null;
    const key = screen.message.key;
    return el('div', { class: 'message message-' + kind, role: 'alert', 'data-code': screen.message.code },
      kind === 'info' ? ICONS.info() : ICONS.warning(),
      el('div', { class: 'message-text' },
        el('p', { class: 'message-title' },
          el('span', { class: 'code' }, '\u3010' + screen.message.code + '\u3011'),
          el('span', { 'data-key': key }, t(key))),
        withNext ? tx('p', 'message-next', key + '.next') : null));
  }

  function serviceMessage(screen) {
    if (!screen.service_message) return null;
    return el('div', { class: 'service-message' },
      tx('p', 'service-message-label', 'common.service_message'),
      el('p', { class: 'service-message-text', lang: 'ja' }, screen.service_message));
  }

  function button(action, value, cls, labelKey, hintKey, icon) {
    return el('button', { type: 'button', class: 'btn ' + cls, 'data-action': action, 'data-value': value },
      icon ? icon() : null,
      el('span', { class: 'btn-text' },
        tx('span', 'btn-label', labelKey),
        hintKey ? tx('span', 'btn-hint', hintKey) : null));
  }

  function cancelButton() {
    return button('cancel', '', 'btn-quiet btn-cancel', 'common.cancel', null, null);
  }

  function progress(titleKey, hintKey, extra) {
    return [
      el('div', { class: 'progress', role: 'progressbar', 'aria-busy': 'true' },
        el('div', { class: 'spinner' }), el('div', { class: 'progress-track' }, el('div', { class: 'progress-bar' }))),
      tx('h1', 'title', titleKey),
      tx('p', 'lead', hintKey),
      extra || null,
    ];
  }

  // ---- the screens ----
  const SCREENS = {
    loading() {
      return [el('div', { class: 'progress' }, el('div', { class: 'spinner' })), tx('h1', 'title', 'status.connecting')];
    },

    idle() {
      return [
        el('div', { class: 'idle' },
          ICONS.reader(),
          el('div', { class: 'idle-text' },
            tx('h1', 'title title-xl', 'idle.title'),
            tx('p', 'lead', 'idle.hint'),
            tx('p', 'note', 'idle.staff_never_ask'),
            el('p', { class: 'language-hint' }, ICONS.globe(), el('span', { 'data-key': 'idle.language_hint' }, t('idle.language_hint'))))),
      ];
    },

    'reading-card'() {
      return progress('reading.title', 'reading.hint');
    },

    'method-choice'(screen) {
      const methods = screen.methods || [];
      const icons = { face: ICONS.face, pin: ICONS.pin, visual: ICONS.visual };
      const kind = ['card.certificate_expiring_soon', 'card.certificate_in_grace', 'pin.not_set']
        .includes(messageKey(screen)) ? 'info' : 'warn';
      return [
        messageBox(screen, kind, true),
        tx('h1', 'title', 'method.title'),
        el('div', { class: 'choices choices-' + methods.length },
          methods.map((m) => button('method', m, 'btn-choice', 'method.' + m, 'method.' + m + '.hint', icons[m]))),
        el('div', { class: 'actions actions-end' }, cancelButton()),
      ];
    },

    'pin-entry'(screen) {
      const dots = [];
      for (let i = 0; i < PIN_LENGTH; ++i) {
        dots.push(el('span', { class: 'dot' + (i < pin.length ? ' dot-filled' : '') }));
      }
      const lastTry = screen.tries_left === 1;
      const keys = [];
      for (const d of ['1', '2', '3', '4', '5', '6', '7', '8', '9']) {
        keys.push(el('button', { type: 'button', class: 'key', 'data-action': 'digit', 'data-digit': d }, d));
      }
      keys.push(el('button', { type: 'button', class: 'key key-fn', 'data-action': 'pin-clear' }, t('pin.clear')));
      keys.push(el('button', { type: 'button', class: 'key', 'data-action': 'digit', 'data-digit': '0' }, '0'));
      keys.push(el('button', { type: 'button', class: 'key key-fn', 'data-action': 'pin-back', 'aria-label': t('pin.backspace') },
        '\u232b ', t('pin.backspace')));
      const tries = screen.tries_left !== null && screen.tries_left !== undefined
        ? el('p', { class: 'tries' + (lastTry ? ' tries-last' : '') }, t('pin.tries_left', { n: screen.tries_left }))
        : null;
      return [
        el('div', { class: 'two-columns pin-screen' },
          el('div', { class: 'column' },
            tx('h1', 'title', 'pin.title'),
            el('div', { class: 'pin-status' },
              el('div', { class: 'dots', id: 'pin-dots', 'aria-label': t('pin.entered', { n: pin.length }) }, dots),
              tries),
            messageBox(screen, 'warn', true),
            // The privacy reminder gives way to a numbered message (wrong PIN, last try).
            screen.message ? null : tx('p', 'note', 'pin.privacy')),
          el('div', { class: 'column' },
            el('div', { class: 'keypad' }, keys),
            el('div', { class: 'pin-actions' },
              cancelButton(),
              el('button', { type: 'button', class: 'btn btn-primary btn-ok', id: 'pin-ok', 'data-action': 'pin-ok',
                disabled: pin.length !== PIN_LENGTH }, t('pin.ok'))))),
      ];
    },

    'face-capture'(screen) {
      const guidance = screen.guidance || 'no-face';
      const key = 'face.guidance.' + guidance;
      const good = guidance === 'checking';
      return [
        el('div', { class: 'two-columns face-screen' },
          el('div', { class: 'column face-frame-column' },
            svg('0 0 300 380', 'face-frame' + (good ? ' face-frame-good' : ''), [
              ['ellipse', { cx: 150, cy: 180, rx: 112, ry: 150, class: 'face-oval' }],
              ['path', { d: 'M92 360 c8-52 34-74 58-74 s50 22 58 74', class: 'face-shoulders' }],
            ])),
          el('div', { class: 'column' },
            tx('h1', 'title', 'face.title'),
            el('p', { class: 'guidance' + (good ? ' guidance-good' : ''), 'data-key': has(key) ? key : 'face.guidance.no-face', role: 'status' },
              has(key) ? t(key) : t('face.guidance.no-face')),
            tx('p', 'lead', 'face.instruction'),
            tx('p', 'note', 'face.hint'),
            el('div', { class: 'actions' }, cancelButton()))),
      ];
    },

    'visual-check'() {
      return [
        el('div', { class: 'centered' }, ICONS.staff()),
        tx('h1', 'title', 'visual.title'),
        tx('p', 'lead', 'visual.hint'),
        el('div', { class: 'actions actions-end' }, cancelButton()),
      ];
    },

    confirming() {
      return progress('confirming.title', 'confirming.hint');
    },

    registration(screen) {
      return [
        messageBox(screen, 'info', false),
        tx('h1', 'title', 'registration.title'),
        tx('p', 'lead', 'registration.question'),
        tx('p', 'note', 'registration.detail'),
        serviceMessage(screen),
        el('div', { class: 'choices choices-2' },
          button('answer', 'true', 'btn-choice btn-yes', 'registration.yes', null, null),
          button('answer', 'false', 'btn-choice btn-no', 'registration.no', null, null)),
        el('div', { class: 'actions actions-end' }, cancelButton()),
      ];
    },

    consent() {
      return [
        tx('h1', 'title', 'consent.title'),
        tx('p', 'lead', 'consent.question'),
        el('ul', { class: 'consent-items' },
          tx('li', '', 'consent.item.medication'),
          tx('li', '', 'consent.item.checkups'),
          tx('li', '', 'consent.item.treatment')),
        tx('p', 'note', 'consent.detail'),
        el('div', { class: 'choices choices-2' },
          button('answer', 'true', 'btn-choice btn-yes', 'consent.yes', null, null),
          button('answer', 'false', 'btn-choice btn-no', 'consent.no', null, null)),
        el('div', { class: 'actions actions-end' }, cancelButton()),
      ];
    },

    prescription(screen) {
      return [
        tx('h1', 'title', 'prescription.title'),
        tx('p', 'lead', 'prescription.question'),
        screen.medical_information_viewing_suspended
          ? el('div', { class: 'message message-info' }, ICONS.info(), tx('p', 'message-title', 'common.viewing_suspended'))
          : null,
        el('div', { class: 'choices choices-2' },
          button('prescription', 'electronic', 'btn-choice', 'prescription.electronic', 'prescription.electronic.hint', ICONS.electronic),
          button('prescription', 'paper', 'btn-choice', 'prescription.paper', 'prescription.paper.hint', ICONS.paper)),
        el('div', { class: 'actions actions-end' }, cancelButton()),
      ];
    },

    result(screen) {
      const r = screen.result;
      const valid = r && r.validity === 'valid';
      const rows = [];
      if (r) {
        const vkey = 'result.validity.' + r.validity;
        rows.push(el('div', { class: 'row' }, tx('dt', '', 'result.validity'),
          el('dd', { 'data-key': vkey, class: valid ? 'ok' : 'bad' }, has(vkey) ? t(vkey) : r.validity_label)));
        if (r.insurer_name) {
          rows.push(el('div', { class: 'row' }, tx('dt', '', 'result.insurer'), el('dd', { lang: 'ja' }, r.insurer_name)));
        }
        if (r.contribution_percent !== null && r.contribution_percent !== undefined) {
          const p = r.contribution_percent;
          rows.push(el('div', { class: 'row' }, tx('dt', '', 'result.ratio'),
            el('dd', {}, t('result.ratio.value', { percent: p, tenths: Math.round(p / 10) }))));
        }
      }
      return [
        el('div', { class: 'result-head' }, valid ? ICONS.check() : ICONS.info(),
          tx('h1', 'title', valid ? 'result.title.valid' : 'result.title.other')),
        rows.length ? el('dl', { class: 'result' }, rows) : tx('p', 'lead', 'result.none'),
        screen.medical_information_viewing_suspended
          ? el('div', { class: 'message message-info' }, ICONS.info(), tx('p', 'message-title', 'common.viewing_suspended'))
          : null,
        serviceMessage(screen),
        el('div', { class: 'next' }, tx('p', 'next-label', 'common.next_step'),
          tx('p', 'next-text', valid ? 'result.next.valid' : 'result.next.other')),
        el('div', { class: 'actions actions-end' }, button('ack', '', 'btn-primary btn-wide', 'common.ok', null, null)),
      ];
    },

    notice(screen) {
      const key = messageKey(screen);
      return [
        el('div', { class: 'notice' },
          ICONS.warning(),
          el('div', { class: 'notice-text' },
            screen.message ? el('p', { class: 'code code-large' }, '\u3010' + screen.message.code + '\u3011') : null,
            key ? el('h1', { class: 'title', 'data-key': key }, t(key)) : tx('h1', 'title', 'notice.title'))),
        serviceMessage(screen),
        key ? el('div', { class: 'next' }, tx('p', 'next-label', 'common.next_step'), tx('p', 'next-text', key + '.next')) : null,
        el('div', { class: 'actions actions-end' }, button('ack', '', 'btn-primary btn-wide', 'common.ok', null, null)),
      ];
    },

    'remove-card'() {
      return [
        el('div', { class: 'idle' },
          ICONS.remove(),
          el('div', { class: 'idle-text' },
            tx('h1', 'title title-xl', 'remove.title'),
            tx('p', 'lead', 'remove.hint'))),
      ];
    },
  };

  // ---- chrome around the screens ----
  function renderTools() {
    const brand = document.getElementById('brand');
    brand.replaceChildren(ICONS.card(), tx('span', 'brand-name', 'app.title'));
    const tools = document.getElementById('tools');
    const toggles = [
      ['large', 'toolbar.larger_text', () => el('span', { class: 'tool-glyph', 'aria-hidden': 'true' }, 'A+')],
      ['contrast', 'toolbar.high_contrast', () => el('span', { class: 'tool-glyph', 'aria-hidden': 'true' }, '\u25d1')],
    ];
    if ('speechSynthesis' in window) toggles.push(['voice', 'toolbar.voice', ICONS.speaker]);
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
    const build = SCREENS[screen.step] || SCREENS.loading;
    const section = el('section', { class: 'screen screen-' + screen.step }, build(screen));
    if (state.waiting) section.classList.add('waiting');
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

  function renderTimeout() {
    const box = document.getElementById('timeout');
    if (!state.timeoutTotal) {
      box.hidden = true;
      return;
    }
    const left = Math.max(0, (state.deadline - performance.now()) / 1000);
    box.hidden = false;
    document.getElementById('timeout-bar').style.width = (100 * left / state.timeoutTotal).toFixed(1) + '%';
    const text = document.getElementById('timeout-text');
    const soon = left <= TIMEOUT_WARNING_S;
    box.classList.toggle('timeout-soon', soon);
    text.textContent = soon ? t('common.timeout_soon') : '';
  }

  // ---- voice guidance (only where the browser has a voice for the language) ----
  function speak() {
    if (!state.voice || !('speechSynthesis' in window)) return;
    const main = document.getElementById('main');
    const parts = [...main.querySelectorAll('.message-title, .title, .guidance, .tries, .lead, .next-text')]
      .map((n) => n.textContent).filter(Boolean);
    const voices = window.speechSynthesis.getVoices();
    const wanted = VOICE_LANGS[state.lang] || [state.lang.toLowerCase()];
    let voice = null;
    for (const tag of wanted) {
      voice = voices.find((v) => v.lang && v.lang.toLowerCase().replace('_', '-').startsWith(tag));
      if (voice) break;
    }
    window.speechSynthesis.cancel();
    if (!voice || !parts.length) return;
    const utterance = new SpeechSynthesisUtterance(parts.join('\u3002 '));
    utterance.voice = voice;
    utterance.lang = voice.lang;
    window.speechSynthesis.speak(utterance);
  }

  // ---- input ----
  function clearPin() {
    pin.fill('');
    pin = [];
  }

  function updatePinView() {
    const dots = document.getElementById('pin-dots');
    if (!dots) return;
    dots.querySelectorAll('.dot').forEach((d, i) => d.classList.toggle('dot-filled', i < pin.length));
    dots.setAttribute('aria-label', t('pin.entered', { n: pin.length }));
    const ok = document.getElementById('pin-ok');
    if (ok) ok.disabled = pin.length !== PIN_LENGTH;
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
    if (action === 'lang') {
      if (state.strings[value]) state.lang = value;
      render();
      speak();
      return;
    }
    if (action === 'toggle') {
      state[value] = !state[value];
      if (value === 'voice' && !state.voice && 'speechSynthesis' in window) window.speechSynthesis.cancel();
      render();
      if (value === 'voice') speak();
      return;
    }
    if (state.waiting) return;  // one touch per screen
    switch (action) {
      case 'digit':
        if (pin.length < PIN_LENGTH) pin.push(target.dataset.digit);
        updatePinView();
        return;
      case 'pin-back':
        if (pin.length) pin[pin.length - 1] = '';
        pin.pop();
        updatePinView();
        return;
      case 'pin-clear':
        clearPin();
        updatePinView();
        return;
      case 'pin-ok': {
        if (pin.length !== PIN_LENGTH) return;
        const body = JSON.stringify({ type: 'pin', value: pin.join('') });
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
      case 'ack':
      case 'cancel':
        send(JSON.stringify({ type: action }));
        return;
      default:
    }
  }

  document.addEventListener('click', (ev) => {
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
    if ('speechSynthesis' in window) window.speechSynthesis.cancel();
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
    state.screen = screen;
    setWaiting(false);
    render();
    document.body.dataset.seq = id || '';
    // Touch to new screen (POST, the machine, the event stream, the drawing), for staff and tests.
    if (state.touchAt) {
      document.body.dataset.responseMs = (performance.now() - state.touchAt).toFixed(1);
      state.touchAt = 0;
    }
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
    connect();
    setInterval(renderTimeout, 250);
  }

  main();
})();
