// A room's printable handout, /r/CODE/handout (issue 15): one A4 page to put on the tables
// of a room, for readers of every workshop language at once: the room's title in each
// language, its slot in JST and ULAT, the QR code of the participant link (drawn by the
// server, GET /api/rooms/CODE/qr.svg), the code in large letters and the link. The fixed
// words are printed in every language of the event; the print button and the language
// switch are not printed (organise.css, @media print). Public: no key.
//
// Stable selectors (tests): #handout, .handout-title[lang], #handout-qr, #handout-code,
// #handout-link, #handout-slot, #handout-print.

import { el, setText } from "../dom.js";
import { getLang, LANGS, onLangChange, t } from "../i18n.js";
import { setFallbackOrder, textIn } from "../lang-text.js";
import { formatSlot, zonesFor } from "../programme.js";
import { roomPath } from "../route.js";
import { createLangSwitch } from "./lang-switch.js";
import { loadOrganiseCatalogues, loadOrganiseStyles } from "./organise-assets.js";

/** The room's title in each language it has, in the event's order (a plain string once). */
export function handoutTitles(title, langs) {
  if (title && typeof title === "object") {
    const order = [...langs, ...LANGS.filter((l) => !langs.includes(l))];
    return order.filter((lang) => typeof title[lang] === "string" && title[lang].trim()).map((lang) => ({ lang, text: title[lang] }));
  }
  return title ? [{ lang: null, text: String(title) }] : [];
}

/** One fixed sentence in every language of the sheet, each marked with its lang. */
function inEvery(className, key, langs) {
  return el("p", { className }, ...langs.map((lang) => el("span", { className: "handout-lang", attrs: { lang }, text: t(key, null, lang) })));
}

export async function startHandout(root, { code }) {
  document.body.classList.add("view-handout");
  await Promise.all([loadOrganiseCatalogues(), loadOrganiseStyles()]);
  const reply = await fetch(`/api/rooms/${encodeURIComponent(code)}`, { headers: { accept: "application/json" } }).catch(() => null);
  const info = reply?.ok ? await reply.json().catch(() => null) : null;
  if (!info) {
    root.replaceChildren(el("main", { className: "landing-main" }, el("p", { className: "banner", attrs: { role: "alert" }, i18n: reply?.status === 404 ? "room.not_found" : "handout.load_failed" })));
    return;
  }
  const event = info.event || {};
  const langs = (event.languages || []).filter((l) => LANGS.includes(l));
  const sheetLangs = langs.length ? langs : LANGS;
  setFallbackOrder(sheetLangs);
  const url = new URL(roomPath(code), location.origin).href;

  const titles = el("h1", { className: "handout-titles" }, ...handoutTitles(info.title, sheetLangs).map(({ lang, text }) => el("span", { className: "handout-title", attrs: { lang }, text })));
  const eventTitle = el("p", { className: "handout-event" });
  const slot = el("p", { id: "handout-slot", className: "handout-slot" });
  const qr = el("img", { id: "handout-qr", className: "handout-qr", attrs: { src: `/api/rooms/${encodeURIComponent(code)}/qr.svg`, width: 320, height: 320 } });
  const print = el("button", { id: "handout-print", className: "primary", i18n: "handout.print", attrs: { type: "button" }, on: { click: () => window.print() } });

  const page = el(
    "article",
    { id: "handout", className: "handout-page", data: { code } },
    eventTitle,
    titles,
    slot,
    el("div", { className: "handout-join" },
      qr,
      el("div", { className: "handout-join-text" },
        inEvery("handout-scan", "handout.scan", sheetLangs),
        inEvery("handout-code-label", "handout.code", sheetLangs),
        el("p", { id: "handout-code", className: "handout-code", text: code }),
        inEvery("handout-link-label", "handout.link", sheetLangs),
        el("p", { id: "handout-link", className: "handout-link", text: url }))),
    inEvery("handout-foot", "handout.no_account", sheetLangs),
  );
  root.replaceChildren(
    el("div", { className: "handout-tools" }, print, el("p", { className: "hint", i18n: "handout.tip" }), createLangSwitch()),
    el("main", { id: "main", className: "handout-main" }, page),
  );

  function render() {
    const lang = getLang();
    setText(eventTitle, textIn(event.title));
    setText(slot, formatSlot(info, lang, { zones: zonesFor(event.timezones) }));
    slot.hidden = !info.starts;
    qr.setAttribute("alt", t("handout.qr_alt", { url }));
    const first = textIn(info.title) || code;
    document.title = `${first} · ${t("handout.title")}`;
  }
  onLangChange(render);
  render();
}

export { startHandout as start }; // main.js starts either page by this name
