// A question's translation into the reader's language (issue 14): under the original, marked
// as a translation and by whom (the interpreter or the moderator, never a name). With "only
// my language" on, a translated question shows the translation alone, the original one
// tap away. Votes stay on the question.

import { el, setAttr, setText } from "../dom.js";
import { getLang, langName, t } from "../i18n.js";
import { local } from "../storage.js";

const ONLY_MINE_KEY = "workshop.only_my_language";

/** Whether this device shows only the reader's language where a translation exists. */
export function onlyMyLanguage() {
  return local().get(ONLY_MINE_KEY) === "1";
}

export function setOnlyMyLanguage(on) {
  local().set(ONLY_MINE_KEY, on ? "1" : "0");
}

/** The translation of `field` ("text" | "answer") for the reader, or null. */
export function translationFor(q, field, lang = getLang()) {
  const text = q.translations?.[field]?.[lang];
  if (!text || (field === "text" && q.lang === lang)) return null;
  return { text, lang, by: q.translatedBy?.[field]?.[lang] === "moderator" ? "moderator" : "interpreter" };
}

/** A <p class="q-translation"> for one field; update(q) fills or hides it. */
export function createTranslation(field) {
  const label = el("span", { className: "q-translation-label" });
  const text = el("span", { className: "q-translation-words" });
  const root = el("p", { className: `q-translation q-translation-of-${field}`, data: { field } }, label, text);
  root.hidden = true;

  function update(q) {
    const found = translationFor(q, field);
    root.hidden = !found;
    if (!found) return null;
    setText(label, t(`q.translation_by.${found.by}`, { lang: langName(found.lang) }));
    setText(text, found.text);
    setAttr(text, "lang", found.lang);
    return found;
  }

  return { el: root, update };
}
