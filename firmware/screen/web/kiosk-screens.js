// The kiosk screen, part 2 of 4: the screens, one function per step of the reception, built
// from the helpers of kiosk-base.js (see there for the rules of the texts).
(() => {
  'use strict';

  const K = window.kiosk;
  const { PIN_LENGTH, t, has, el, tx, svg, ICONS } = K;

  // ReasonOfLoss (the OQS code of a lost qualification: 01 death, 02 public assistance, 03 other
  // insurance, 99 other) -> its text; the terminal screen builds the same keys.
  const LOSS_REASONS = {
    '01': 'result.loss_reason.01',
    '02': 'result.loss_reason.02',
    '03': 'result.loss_reason.03',
    '99': 'result.loss_reason.99',
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

  // "Cancel": a secondary style of its own (never like an answer), with a cross. `asks`: the page
  // asks first (kiosk.js, the cancel dialog), where cancelling throws away the work done.
  function cancelButton(asks) {
    const b = button('cancel', '', 'btn-quiet btn-cancel', 'common.cancel', null, ICONS.cross);
    if (asks) b.dataset.confirm = 'true';
    return b;
  }

  // Cancel on the screens after the qualification was asked for (registration, consent,
  // prescription): set apart from the answers by a rule and space, and asked first.
  function leaveRow() {
    return el('div', { class: 'actions actions-leave' }, cancelButton(true));
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
        dots.push(el('span', { class: 'dot' + (i < K.pin.length ? ' dot-filled' : '') }));
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
        ? el('p', { class: 'tries' + (lastTry ? ' tries-last' : ''), 'data-say': 'pin.tries_left.' + screen.tries_left },
          t('pin.tries_left', { n: screen.tries_left }))
        : null;
      return [
        el('div', { class: 'two-columns pin-screen' },
          el('div', { class: 'column' },
            tx('h1', 'title', 'pin.title'),
            el('div', { class: 'pin-status' },
              el('div', { class: 'dots', id: 'pin-dots', 'aria-label': t('pin.entered', { n: K.pin.length }) }, dots),
              tries),
            messageBox(screen, 'warn', true),
            // The privacy reminder gives way to a numbered message (wrong PIN, last try).
            screen.message ? null : tx('p', 'note', 'pin.privacy')),
          el('div', { class: 'column' },
            el('div', { class: 'keypad' }, keys),
            el('div', { class: 'pin-actions' },
              cancelButton(),
              el('button', { type: 'button', class: 'btn btn-primary btn-ok', id: 'pin-ok', 'data-action': 'pin-ok',
                disabled: K.pin.length !== PIN_LENGTH }, t('pin.ok'))))),
      ];
    },

    'face-capture'(screen) {
      const guidance = screen.guidance || 'no-face';
      const key = 'face.guidance.' + guidance;
      const good = guidance === 'checking';
      const turn = guidance === 'turn-head-left' ? 'left' : guidance === 'turn-head-right' ? 'right' : null;
      return [
        el('div', { class: 'two-columns face-screen' },
          el('div', { class: 'column face-frame-column' },
            // The camera's live view, mirrored, inside the oval (kiosk.js, the live view); the
            // drawn outline alone until the first picture arrives.
            el('div', { class: 'face-view' },
              K.liveImage ? K.liveImage() : null,
              svg('0 0 300 380', 'face-frame' + (good ? ' face-frame-good' : ''), [
                ['ellipse', { cx: 150, cy: 180, rx: 112, ry: 150, class: 'face-oval' }],
                ['path', { d: 'M92 360 c8-52 34-74 58-74 s50 22 58 74', class: 'face-shoulders' }],
              ]))),
          el('div', { class: 'column' },
            tx('h1', 'title', 'face.title'),
            el('p', { class: 'guidance' + (good ? ' guidance-good' : ''), 'data-key': has(key) ? key : 'face.guidance.no-face', role: 'status' },
              has(key) ? t(key) : t('face.guidance.no-face')),
            // The head-turn question: a large arrow toward the side asked, as the patient sees
            // it (their left is the screen's left; the live view is mirrored).
            turn ? el('div', { class: 'turn-arrow turn-arrow-' + turn, 'aria-hidden': 'true' }, turn === 'left' ? '\u2190' : '\u2192') : null,
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
        leaveRow(),
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
        leaveRow(),
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
        leaveRow(),
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
        // Why it is not valid, in the patient's language (the service's own message below stays
        // in Japanese for the staff): the ReasonOfLoss code and the first day without insurance.
        if (r.loss_reason) {
          const rkey = LOSS_REASONS[r.loss_reason] || 'result.loss_reason.99';
          rows.push(el('div', { class: 'row' }, tx('dt', '', 'result.loss_reason'), tx('dd', '', rkey)));
        }
        if (r.lost_from) {
          rows.push(el('div', { class: 'row' }, tx('dt', '', 'result.lost_from'), el('dd', {}, r.lost_from)));
        }
        if (r.contribution_percent !== null && r.contribution_percent !== undefined) {
          const p = r.contribution_percent;
          rows.push(el('div', { class: 'row' }, tx('dt', '', 'result.ratio'),
            el('dd', {}, t('result.ratio.value', { percent: p, tenths: Math.round(p / 10) }))));
        }
      }
      // The eligibility-certificate path has no card to take: its next step names the document.
      const nextKey = screen.numbers_path
        ? (valid ? 'result.next.valid_numbers' : 'result.next.other_numbers')
        : (valid ? 'result.next.valid' : 'result.next.other');
      return [
        el('div', { class: 'result-head' }, valid ? ICONS.check() : ICONS.info(),
          tx('h1', 'title', valid ? 'result.title.valid' : 'result.title.other')),
        rows.length ? el('dl', { class: 'result' }, rows) : tx('p', 'lead', 'result.none'),
        screen.medical_information_viewing_suspended
          ? el('div', { class: 'message message-info' }, ICONS.info(), tx('p', 'message-title', 'common.viewing_suspended'))
          : null,
        serviceMessage(screen),
        el('div', { class: 'next' }, tx('p', 'next-label', 'common.next_step'),
          tx('p', 'next-text', nextKey)),
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


  K.SCREENS = SCREENS;
  // The building blocks an extension of the page uses (see kiosk.js, "extensions").
  Object.assign(K, { button, cancelButton, messageBox });
})();
