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

  function numberEntry(screen, kit) {
    const { el, tx, t, button, cancelButton, messageBox } = kit;
    const problem = screen.entry_problem && PROBLEMS[screen.entry_problem];
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
      messageBox(screen, 'warn', false),  // the field in question says what is wrong
      tx('h1', 'title', 'numbers.title'),
      problem ? null : tx('p', 'note', 'numbers.hint'),  // with a problem, its message says what to do
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
      if (step !== 'number-entry') forget();
    },
  });
})();
