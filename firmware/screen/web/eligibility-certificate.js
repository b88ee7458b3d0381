// The eligibility-certificate path of the kiosk screen (docs/reception-rules.md section 12): the
// button on the idle screen, the form of the "number-entry" step (document, insurer number,
// symbol, number, branch, birth date, consent to cost-limit information), and the certificate
// notice of the result screen (K102 / K103 with their dates).
//
// This file registers itself on the page's screen table; it holds no text (every word comes from
// i18n/<lang>.json: the keys below are literal so that the i18n test finds them).
//
// Hook, provided by kiosk.js ("extensions"): index.html loads this file before kiosk.js (and
// links eligibility-certificate.css after kiosk.css); kiosk.js reads window.KioskExtensions
// (a list) and for each entry
//   screens[step](screen, kit)     builds the screen of a step kiosk.js does not know,
//   idle(kit)                      adds nodes to the idle screen (the button),
//   result(screen, kit)            adds nodes to the result screen (the certificate notice),
//   actions[name](target, kit)     handles a data-action kiosk.js does not know,
//   leave(step)                    is called when a new screen of another step arrives,
// with kit = {el, tx, t, button, cancelButton, messageBox, send, render}.
//
// What the patient types stays in `form` only while the form is on screen: it leaves in one POST
// ({"type": "numbers", "value": {...}}) and is forgotten when the screen changes.
//
// "Read my document" ({"type": "numbers-read-document"}) has the kiosk read the eligibility
// certificate (or old health insurance card) on the card reader: the screen then brings `form`
// with what was read (K173), which fills the fields for the patient to check and correct; nothing
// is sent until the patient confirms. A document that cannot be read brings K174: type the numbers.
(() => {
  'use strict';

  const FIELDS = [
    // name, label key, input mode
    ['insurer_number', 'numbers.insurer_number', 'numeric'],
    ['symbol', 'numbers.symbol', 'text'],
    ['number', 'numbers.number', 'text'],
    ['branch', 'numbers.branch', 'numeric'],
    ['birthdate', 'numbers.birthdate', 'numeric'],
  ];
  const DOCUMENTS = {
    'eligibility-certificate': 'numbers.document.eligibility-certificate',
    'health-insurance-card': 'numbers.document.health-insurance-card',
  };
  // What is wrong with an entry (the screen's entry_problem), and which field it marks.
  const PROBLEMS = {
    insurer_number: ['numbers.problem.insurer_number', 'insurer_number'],
    insurer_check_digit: ['numbers.problem.insurer_check_digit', 'insurer_number'],
    symbol: ['numbers.problem.symbol', 'symbol'],
    number: ['numbers.problem.number', 'number'],
    branch: ['numbers.problem.branch', 'branch'],
    birthdate: ['numbers.problem.birthdate', 'birthdate'],
  };
  const MAX_LENGTH = 20;

  function emptyForm() {
    return { document: 'eligibility-certificate', insurer_number: '', symbol: '', number: '', branch: '',
      birthdate: '', limit_consent: false };
  }
  let form = emptyForm();

  function forget() {
    for (const key of Object.keys(form)) form[key] = '';
    form = emptyForm();
  }

  // The screen whose read document last filled the form: a read fills it once, then the
  // patient's corrections stand (the page renders the same screen again for a document choice).
  let filledFrom = null;

  function numberEntry(screen, kit) {
    const { el, tx, t, button, cancelButton, messageBox } = kit;
    const problem = screen.entry_problem && PROBLEMS[screen.entry_problem];
    if (screen.form && filledFrom !== screen) {
      // What the kiosk read from the document on the tray: for the patient to check and correct.
      // It is sent only with the patient's own "confirm" (an OCR misread must not become somebody
      // else's qualification).
      filledFrom = screen;
      if (DOCUMENTS[screen.form.document]) form.document = screen.form.document;
      for (const [name] of FIELDS) form[name] = String(screen.form[name] || '').slice(0, MAX_LENGTH);
    }
    // K173 (read: check it) and K174 (not read: type it) say what to do next.
    const code = screen.message ? screen.message.code : '';
    const documentMessage = code === 'K173' || code === 'K174';
    const reader = screen.reading_document
      ? tx('p', 'note numbers-reading', 'numbers.reading_document')
      : button('numbers-read-document', '', 'btn-quiet btn-read-document', 'numbers.read_document', 'numbers.read_document.hint', null);
    const documents = Object.keys(DOCUMENTS).map((doc) =>
      el('button', { type: 'button', class: 'btn btn-choice' + (form.document === doc ? ' btn-selected' : ''),
        'data-action': 'numbers-document', 'data-value': doc, 'aria-pressed': form.document === doc ? 'true' : 'false' },
        t(DOCUMENTS[doc])));
    const fields = FIELDS.map(([name, labelKey, mode]) => {
      const wrong = problem && problem[1] === name;
      const input = el('input', { id: 'numbers-' + name, name, type: 'text', inputmode: mode, autocomplete: 'off',
        maxlength: String(MAX_LENGTH), value: form[name], 'aria-invalid': wrong ? 'true' : 'false',
        'data-numbers-field': name });
      return el('label', { class: 'field' + (wrong ? ' field-wrong' : '') }, tx('span', 'field-label', labelKey), input,
        wrong ? tx('span', 'field-problem', problem[0]) : null);
    });
    return [
      // The field in question says what is wrong; a document read says what to do next.
      documentMessage ? messageBox(screen, code === 'K173' ? 'info' : 'warn', true) : messageBox(screen, 'warn', false),
      tx('h1', 'title', 'numbers.title'),
      problem || documentMessage ? null : tx('p', 'note', 'numbers.hint'),  // with a message, it says what to do
      reader,
      el('div', { class: 'numbers-form' },
        el('div', { class: 'field' }, tx('span', 'field-label', 'numbers.document'),
          el('div', { class: 'choices choices-2' }, documents)),
        fields,
        el('label', { class: 'field field-check' },
          el('input', { type: 'checkbox', 'data-numbers-field': 'limit_consent', checked: form.limit_consent ? 'checked' : null }),
          tx('span', 'field-label', 'numbers.limit_consent'))),
      el('div', { class: 'actions actions-end' },
        cancelButton(),
        button('numbers-submit', '', 'btn-primary btn-wide', 'numbers.submit', null, null)),
    ];
  }

  // The button on the idle screen.
  function idle(kit) {
    return kit.button('numbers-start', '', 'btn-quiet btn-numbers', 'numbers.start', 'numbers.start.hint', null);
  }

  // K102 / K103 repeated on the result screen, with the certificate's dates.
  function result(screen, kit) {
    const { el, t, messageBox } = kit;
    if (!screen.message || !screen.certificate) return null;
    const c = screen.certificate;
    return el('div', { class: 'certificate-notice' },
      messageBox(screen, 'info', true),
      c.expires ? el('p', { class: 'note' }, t('result.certificate.expires', { date: c.expires })) : null,
      c.usable_until ? el('p', { class: 'note' }, t('result.certificate.usable_until', { date: c.usable_until })) : null);
  }

  // Typing goes into `form` as it happens (no screen is rebuilt for a key).
  document.addEventListener('input', (ev) => {
    const name = ev.target && ev.target.dataset ? ev.target.dataset.numbersField : undefined;
    if (!name) return;
    form[name] = ev.target.type === 'checkbox' ? ev.target.checked : String(ev.target.value).slice(0, MAX_LENGTH);
  });

  const actions = {
    'numbers-start'(target, kit) {
      forget();
      kit.send(JSON.stringify({ type: 'numbers-start' }));
    },
    'numbers-document'(target, kit) {
      if (DOCUMENTS[target.dataset.value]) form.document = target.dataset.value;
      kit.render();
    },
    'numbers-read-document'(target, kit) {
      kit.send(JSON.stringify({ type: 'numbers-read-document' }));
    },
    'numbers-submit'(target, kit) {
      const body = JSON.stringify({ type: 'numbers', value: form });
      kit.send(body);
    },
  };

  (window.KioskExtensions = window.KioskExtensions || []).push({
    screens: { 'number-entry': numberEntry },
    idle,
    result,
    actions,
    leave(step) {
      if (step !== 'number-entry') {
        forget();
        filledFrom = null;
      }
    },
  });
})();
