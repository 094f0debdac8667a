// What tells the chair that a question waits for review (issue 13), besides the count in
// the tab's title (room.js) and the screen-reader announcement (room.js, "announcer"):
// a badge on the tab's icon and an optional chime, off by default, remembered on this
// device. The chime is a short Web Audio tone, so there is no sound file to fetch.

import { el } from "../dom.js";
import { faviconUrl } from "../favicon.js";
import { local } from "../storage.js";

const CHIME_KEY = "workshop.console.chime";

function iconLink() {
  let link = document.querySelector('link[rel="icon"]');
  if (!link) {
    link = document.createElement("link");
    link.rel = "icon";
    document.head.append(link);
  }
  return link;
}

/** Two soft notes (A5, then E6), a quarter of a second in all. */
function playChime(audio) {
  const now = audio.currentTime;
  for (const [i, freq] of [880, 1318.5].entries()) {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = "sine";
    osc.frequency.value = freq;
    const start = now + i * 0.12;
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.2, start + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.25);
    osc.connect(gain).connect(audio.destination);
    osc.start(start);
    osc.stop(start + 0.3);
  }
}

/** Returns {toggle (a labelled checkbox row), update(pendingCount)}. */
export function createPendingAlerts() {
  const storage = local();
  let audio = null;
  let last = null; // pending count at the last update; null before the first
  const input = el("input", { id: "console-chime", attrs: { type: "checkbox" } });
  input.checked = storage.get(CHIME_KEY) === "on";
  input.dataset.chimes = "0";
  input.addEventListener("change", () => {
    storage.set(CHIME_KEY, input.checked ? "on" : "off");
    // Browsers start audio only from a person's gesture: this change is one.
    if (input.checked) ensureAudio();
  });
  const toggle = el("label", { className: "check", attrs: { for: "console-chime" } }, input, el("span", { i18n: "mod.chime" }));

  function ensureAudio() {
    const Audio = globalThis.AudioContext || globalThis.webkitAudioContext;
    if (!Audio) return null;
    audio ??= new Audio();
    if (audio.state === "suspended") audio.resume().catch(() => {});
    return audio;
  }

  function update(pending) {
    const link = iconLink();
    const href = faviconUrl(pending);
    if (link.getAttribute("href") !== href) link.setAttribute("href", href);
    link.dataset.pending = String(pending);
    if (last !== null && pending > last && input.checked) {
      const ctx = ensureAudio();
      if (ctx) {
        playChime(ctx);
        input.dataset.chimes = String(Number(input.dataset.chimes) + 1);
      }
    }
    last = pending;
  }

  return { toggle, update };
}
