// The language switch (#lang-switch), present on every page.

import { el } from "../dom.js";
import { getLang, LANGS, onLangChange, setLang, t } from "../i18n.js";

/** A labelled <select id="lang-switch"> that switches and remembers the language. */
export function createLangSwitch() {
  const select = el("select", {
    id: "lang-switch",
    className: "lang-switch",
    on: { change: () => setLang(select.value) },
  });
  for (const lang of LANGS) {
    // Each language is named in itself, so anyone can find their own.
    select.append(el("option", { text: t(`lang.${lang}`, null, lang), props: { value: lang }, attrs: { lang } }));
  }
  select.value = getLang();
  onLangChange((lang) => {
    select.value = lang;
  });
  return el(
    "label",
    { className: "lang-label" },
    el("span", { className: "sr-only", i18n: "lang.label" }),
    select,
  );
}
