// The kiosk screen, part 3 of 4: what the patient sees and hears besides the screens: the live
// camera view of a face attempt and the voice guidance with its sound cues. kiosk.js uses them
// through window.kiosk.media.
(() => {
  'use strict';

  const K = window.kiosk;
  const { state, el } = K;

  // ---- the live view of a face attempt ----
  // While the face capture is on show, the page fetches the camera's latest picture
  // (/camera/frame.jpg: small JPEGs in the kiosk's memory only; 204 while there is none) into
  // one image element that lives across the screen's guidance updates. Nothing is kept when the
  // step ends.
  const live = { on: false, timer: 0, img: null, url: null, n: 0 };
  function liveImage() {
    if (!live.img) {
      live.img = el('img', { class: 'face-live', alt: '', 'aria-hidden': 'true', id: 'face-live' });
      live.img.hidden = true;
      live.img.addEventListener('load', () => {
        if (!live.on) return;
        live.img.hidden = false;
        if (live.img.parentElement) live.img.parentElement.classList.add('live');
      });
    }
    return live.img;
  }
  function nextPicture(ms) {
    clearTimeout(live.timer);
    if (live.on) live.timer = setTimeout(fetchPicture, ms);
  }
  async function fetchPicture() {
    if (!live.on) return;
    live.img.dataset.n = String(++live.n);
    try {
      const res = await fetch('/camera/frame.jpg', { cache: 'no-store' });
      if (!live.on) return;
      if (res.status !== 200) return nextPicture(200);  // no picture yet
      const url = URL.createObjectURL(await res.blob());
      if (!live.on) return URL.revokeObjectURL(url);
      if (live.url) URL.revokeObjectURL(live.url);
      live.url = url;
      live.img.src = url;
      nextPicture(100);
    } catch (e) {
      nextPicture(500);
    }
  }
  function startLiveView() {
    if (live.on) return;
    live.on = true;
    liveImage();
    nextPicture(0);
  }
  function stopLiveView() {
    live.on = false;
    clearTimeout(live.timer);
    if (live.img) {
      live.img.hidden = true;
      live.img.removeAttribute('src');
    }
    if (live.url) URL.revokeObjectURL(live.url);
    live.url = null;
  }

  // ---- voice guidance and sound cues ----
  // The kiosk's own voice files, /voice/<lang>/<key> (spoken by espeak-ng when the kiosk was
  // built or installed, or recorded by the clinic), played in turn: a browser on a Debian kiosk
  // has no speechSynthesis voice. The voice button shows where the language has files.
  const SPOKEN = '.message-title [data-key], .title, .guidance, .tries, .lead, .next-text';
  const voice = { languages: [], queue: [], audio: null, cueAt: 0, generation: 0 };
  K.voiceLog = [];  // what was played ({lang, key, result}), for the staff's diagnostics and tests
  function logVoice(entry) {
    K.voiceLog.push(entry);
    // Only the last 500: the page runs all day.
    if (K.voiceLog.length > 500) K.voiceLog.splice(0, K.voiceLog.length - 500);
  }

  // Which languages have voice files; `then` runs once they are known (the voice button).
  async function loadVoiceLanguages(then) {
    try {
      const res = await fetch('/voice/languages', { cache: 'no-store' });
      if (res.ok) voice.languages = (await res.json()).languages || [];
    } catch (e) {
      voice.languages = [];
    }
    then();
  }

  function voiceAvailable() {
    return voice.languages.includes(state.lang);
  }

  function stopSpeaking() {
    voice.queue = [];
    ++voice.generation;  // what was still to be played, or to be reported, is no longer
    if (voice.audio) voice.audio.pause();
  }

  function playNext() {
    const item = voice.queue.shift();
    if (!item) return;
    if (!voice.audio) voice.audio = new Audio();
    const audio = voice.audio;
    const generation = voice.generation;
    const done = (result) => {
      if (generation !== voice.generation) return;
      logVoice({ lang: item.lang, key: item.key, result });
      playNext();
    };
    audio.onended = () => done('played');
    audio.onerror = () => done('missing');
    audio.src = '/voice/' + item.lang + '/' + item.key;
    audio.play().catch((e) => {
      // Interrupted by the next screen's voice (AbortError): nothing to do. Refused (no user
      // gesture yet where the browser asks for one): this screen stays silent.
      if (generation !== voice.generation || (e && e.name === 'AbortError')) return;
      logVoice({ lang: item.lang, key: item.key, result: 'refused' });
      voice.queue = [];
    });
  }

  // Reads the screen's title, message, guidance and next step, in the patient's language.
  function speak() {
    stopSpeaking();
    if (!state.voice || !voiceAvailable()) return;
    const keys = [];
    for (const node of document.querySelectorAll(SPOKEN)) {
      const key = node.dataset.say || node.dataset.key;
      if (key && !keys.includes(key)) keys.push(key);
    }
    voice.queue = keys.map((key) => ({ lang: state.lang, key }));
    // After a cue, the voice waits until the cue is over.
    const wait = Math.max(0, voice.cueAt + 350 - performance.now());
    const generation = voice.generation;
    if (wait > 0) setTimeout(() => { if (generation === voice.generation) playNext(); }, wait); else playNext();
  }

  // One more text after what is being said (the time-out warning).
  function say(key) {
    if (!state.voice || !voiceAvailable()) return;
    const idle = voice.queue.length === 0 && (!voice.audio || voice.audio.paused || voice.audio.ended);
    voice.queue.push({ lang: state.lang, key });
    if (idle) playNext();
  }

  // A short chime, with or without the voice: two rising tones when the card is read, one when a
  // step waits for the patient.
  let audioContext = null;
  function cue(kind) {
    try {
      audioContext = audioContext || new AudioContext();
      const start = audioContext.currentTime + 0.02;
      const tones = kind === 'card' ? [880, 1320] : [660];
      tones.forEach((hz, i) => {
        const at = start + i * 0.16;
        const tone = audioContext.createOscillator();
        const gain = audioContext.createGain();
        tone.frequency.value = hz;
        gain.gain.setValueAtTime(0.0001, at);
        gain.gain.exponentialRampToValueAtTime(0.25, at + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.15);
        tone.connect(gain).connect(audioContext.destination);
        tone.start(at);
        tone.stop(at + 0.16);
      });
      voice.cueAt = performance.now();
      logVoice({ lang: state.lang, key: 'cue:' + kind, result: 'played' });
    } catch (e) {
      // No audio output: the screen alone guides.
    }
  }


  K.liveImage = liveImage;
  K.media = { startLiveView, stopLiveView, loadVoiceLanguages, voiceAvailable, stopSpeaking, speak, say, cue };
})();
