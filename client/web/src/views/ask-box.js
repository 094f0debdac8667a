// The ask box: textarea with a live counter (/500, in characters as the server counts
// them), the anonymous checkbox when the room allows it, and submit. The question goes into
// the outbox at once, so it is never lost to a bad connection.

import { el, setAttr, setText } from "../dom.js";
import { getLang, langName, LANGS, onLangChange, t } from "../i18n.js";
import { charCount } from "../identity.js";
import { detectTextLang } from "../lang-detect.js";
import { TEXT_MAX } from "./question-item.js";

/** send(text, anon, lang, chosen) queues the question; returns nothing. `lang` is the
 * language of the text: detected from its script as it is typed, unless the asker picks
 * one in the select (`chosen`), which the server then keeps (issue 14). */
export function createAskBox({ send }) {
  const text = el("textarea", {
    id: "ask-text",
    i18nPlaceholder: "ask.placeholder",
    attrs: { rows: 3, "aria-describedby": "ask-counter ask-hint" },
  });
  const counter = el("span", { id: "ask-counter", className: "counter" });
  const anon = el("input", { id: "ask-anon", attrs: { type: "checkbox" } });
  const anonRow = el("label", { className: "check", attrs: { for: "ask-anon" } }, anon, el("span", { i18n: "ask.anon" }));
  const langAuto = el("option", { props: { value: "" } });
  const langSelect = el(
    "select",
    { id: "ask-lang", className: "ask-lang" },
    langAuto,
    ...LANGS.map((lang) => el("option", { text: t(`lang.${lang}`, null, lang), props: { value: lang }, attrs: { lang } })),
  );
  const langRow = el("label", { className: "ask-lang-row", attrs: { for: "ask-lang" } }, el("span", { i18n: "ask.lang_label" }), langSelect);
  const hint = el("p", { id: "ask-hint", className: "hint", i18n: "ask.premoderated" });
  const submit = el("button", { id: "ask-submit", className: "primary", i18n: "ask.submit", props: { type: "submit" } });
  const form = el(
    "form",
    { id: "ask-form", className: "ask-form", attrs: { novalidate: true } },
    el("label", { className: "field-label", attrs: { for: "ask-text" }, i18n: "ask.label" }),
    text,
    el("div", { className: "ask-row" }, counter, anonRow),
    el("div", { className: "ask-row" }, langRow),
    hint,
    el("div", { className: "ask-row ask-submit-row" }, submit),
  );
  const root = el(
    "section",
    { id: "ask", className: "card ask", attrs: { "aria-labelledby": "title-ask" } },
    el("h2", { id: "title-ask", i18n: "ask.title" }),
    form,
  );
  let open = true;

  /** The language the text is in: the asker's pick, else its script's, else the interface's. */
  function textLang() {
    return langSelect.value || detectTextLang(text.value) || getLang();
  }

  function refreshLang() {
    const lang = detectTextLang(text.value) || getLang();
    setText(langAuto, t("ask.lang_auto", { lang: langName(lang) }));
    text.lang = textLang(); // the right voice and CJK glyphs while typing
  }

  function refreshCounter() {
    refreshLang();
    const n = charCount(text.value);
    setText(counter, t("ask.counter", { n }));
    setAttr(counter, "data-over", n > TEXT_MAX ? "true" : null);
    submit.disabled = !open || n > TEXT_MAX || text.value.trim() === "";
  }

  function submitNow() {
    const value = text.value.trim();
    if (!open || !value || charCount(value) > TEXT_MAX) return;
    send(value, !anonRow.hidden && anon.checked, textLang(), Boolean(langSelect.value));
    text.value = "";
    langSelect.value = ""; // the next question is detected afresh
    anon.checked = false; // each question is anonymous only when asked so (issue 13)
    refreshCounter();
    text.focus();
  }

  text.addEventListener("input", refreshCounter);
  langSelect.addEventListener("change", refreshLang);
  onLangChange(refreshLang);
  text.addEventListener("keydown", (e) => {
    // Ctrl/Cmd+Enter sends; never while an IME is composing (Japanese input).
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && !e.isComposing) {
      e.preventDefault();
      submitNow();
    }
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    submitNow();
  });

  function update(store) {
    open = store.isOpen();
    text.disabled = !open;
    anonRow.hidden = !store.settings.anonymous_allowed;
    if (anonRow.hidden) anon.checked = false;
    hint.hidden = !store.settings.premoderation;
    refreshCounter();
  }

  refreshCounter();
  return { el: root, update };
}
