// One text of the poll editor in three languages (issue 14, "Multilingual content"): an
// <input lang> per language; the interface language's sits in `main` (always shown), the
// other two in `others` (shown while the editor's "Other languages" is open). The inputs
// belong to a language, not to a place: a switch of the interface language moves them
// between `main` and `others`, so nothing typed is lost.
//
// Stable selectors (tests): every input has data-lang and the class poll-lang-input; the
// one in `main` also gets the editor's main id or class (#poll-create-title,
// .poll-option-input), the others `${id}-${lang}` or .poll-option-other.

import { el, setAttr } from "../dom.js";
import { LANGS, t } from "../i18n.js";
import { emptyFields, fieldOrder } from "../lang-fields.js";

/** max: the length limit; mainId or mainClass: how the main input is found. */
export function createLangInputs({ max, mainId = null, mainClass = null, otherClass = null }) {
  const inputs = {};
  const tags = {};
  const wraps = {};
  for (const lang of LANGS) {
    inputs[lang] = el("input", {
      className: "poll-lang-input",
      data: { lang },
      attrs: { type: "text", maxlength: max, autocomplete: "off", lang },
    });
    // The language in itself ("日本語"), as the language picker names it; the input's own
    // label says it in the reader's language.
    tags[lang] = el("span", { className: "poll-lang-tag", text: t(`lang.${lang}`), attrs: { lang, "aria-hidden": "true" } });
    wraps[lang] = el("div", { className: "poll-lang-field", data: { lang } }, tags[lang], inputs[lang]);
  }
  const main = el("div", { className: "poll-lang-main" });
  const others = el("div", { className: "poll-lang-others" });
  let primary = null;

  /** Puts the interface language's input first; names every input (label(lang, main)). */
  function arrange(lang, { label, placeholder = null, expanded = false }) {
    if (lang !== primary) {
      primary = lang;
      const [first, ...rest] = fieldOrder(lang);
      main.replaceChildren(wraps[first]);
      others.replaceChildren(...rest.map((other) => wraps[other]));
    }
    for (const code of LANGS) {
      const input = inputs[code];
      const isMain = code === primary;
      if (mainId) input.id = isMain ? mainId : `${mainId}-${code}`;
      if (mainClass) input.classList.toggle(mainClass, isMain);
      if (otherClass) input.classList.toggle(otherClass, !isMain);
      setAttr(input, "aria-label", label(code, isMain));
      setAttr(input, "placeholder", isMain ? placeholder : null);
      // The main field's language shows only beside the others, where it tells them apart.
      tags[code].hidden = isMain && !expanded;
    }
    others.hidden = !expanded;
  }

  /** {en, ja, mn}: what each field holds. */
  function values() {
    return Object.fromEntries(LANGS.map((lang) => [lang, inputs[lang].value]));
  }

  function fill(fields = emptyFields()) {
    for (const lang of LANGS) inputs[lang].value = fields[lang] ?? "";
  }

  return { main, others, inputs, arrange, values, fill };
}
