// One question on the interpreter's page: its status and votes, what is still missing,
// then the original (in its `lang`) with an editor per target language, and the same for
// the moderator's written answer when there is one. Patched in place; an editor a person
// is typing in survives every update, even when the item moves between the lists.
//
// Stable selectors (tests): li.interp-item[data-qid][data-status][data-needs] with
// .interp-votes, .interp-missing, .interp-field[data-field] > .interp-original.

import { el, reorder, setAttr, setText } from "../dom.js";
import { langName, t } from "../i18n.js";
import { fieldsOf, sourceLang, targetLangs } from "../interpreting.js";
import { createTranslationEditor } from "./interpret-editor.js";

function createField(qid, field, send) {
  const title = el("p", { className: "interp-field-title" });
  const original = el("p", { className: "interp-original" });
  const editorsBox = el("div", { className: "interp-editors" });
  const root = el("div", { className: "interp-field", data: { field } }, title, original, editorsBox);
  const editors = new Map(); // lang -> editor

  function editorFor(lang) {
    if (!editors.has(lang)) {
      editors.set(lang, createTranslationEditor({ qid, field, lang, onSend: (text) => send(field, lang, text) }));
    }
    return editors.get(lang);
  }

  /** q: the question; langs: the workshop's; sending: Set of "field:lang" in the outbox. */
  function update(q, langs, sending) {
    const words = field === "answer" ? q.answer ?? "" : q.text;
    const own = sourceLang(q);
    const ownName = own ? langName(own) : t("interp.lang_unknown");
    setText(title, t(field === "answer" ? "interp.answer_in" : "interp.question_in", { lang: ownName }));
    setText(original, words);
    setAttr(original, "lang", own);
    const targets = targetLangs(q, field, langs);
    const nodes = targets.map((lang) => {
      const editor = editorFor(lang);
      editor.update({
        saved: q.translations?.[field]?.[lang] ?? "",
        by: q.translatedBy?.[field]?.[lang] ?? null,
        sending: sending.has(`${field}:${lang}`),
        subject: words,
      });
      return editor.el;
    });
    // A question whose language was corrected has another set of targets.
    for (const lang of [...editors.keys()]) if (!targets.includes(lang) && !editors.get(lang).dirty) editors.delete(lang);
    reorder(editorsBox, nodes);
  }

  return { el: root, update };
}

/** send(qid, field, lang, text) returns the command's promise. */
export function createInterpretItem(qid, send) {
  const status = el("span", { className: "badge q-status" });
  const pinned = el("span", { className: "badge badge-pinned" });
  const votes = el("span", { className: "interp-votes" });
  const missing = el("span", { className: "interp-missing" });
  const fieldsBox = el("div", { className: "interp-fields" });
  const root = el(
    "li",
    { className: "interp-item card", data: { qid } },
    el("p", { className: "interp-meta" }, status, pinned, votes, missing),
    fieldsBox,
  );
  const fields = new Map(); // "text" | "answer" -> field
  const sendField = (field, lang, text) => send(qid, field, lang, text);

  /** view: {langs, sending, gaps: [{field, lang}], pinned}. */
  function update(q, { langs, sending, gaps, pinned: isPinned }) {
    setAttr(root, "data-status", q.status);
    setAttr(root, "data-needs", gaps.length ? "true" : "false");
    setText(status, t(`status.${q.status}`));
    setAttr(status, "data-badge", q.status);
    setText(pinned, isPinned ? t("q.pinned") : "");
    pinned.hidden = !isPinned;
    setText(votes, t("q.votes", { n: q.votes }));
    const names = [...new Set(gaps.map((g) => g.lang))].map((lang) => langName(lang));
    setText(missing, names.length ? t("interp.missing", { langs: names.join(", ") }) : t("interp.all_done"));
    setAttr(missing, "data-done", names.length ? null : "true");
    const wanted = fieldsOf(q);
    const nodes = wanted.map((name) => {
      if (!fields.has(name)) fields.set(name, createField(qid, name, sendField));
      const field = fields.get(name);
      field.update(q, langs, sending);
      return field.el;
    });
    for (const name of [...fields.keys()]) if (!wanted.includes(name)) fields.delete(name);
    reorder(fieldsBox, nodes);
  }

  return { el: root, update };
}
