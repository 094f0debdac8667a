// The interpreter's page, /r/CODE/interpret (issue 14, "Interpreters"): "Needs translation",
// the pending and live questions (and the moderator's written answers) still without a
// translation into one of the workshop's other languages, by votes, ties oldest first;
// then "Translated", where a translation can be corrected. Each translation is a
// `translate` command through the outbox, like every change to the room; a refusal shows
// the server's code in the page's language (room.js's notice, and under the editor).
//
// Stable selectors (tests): #interp-needs-list and #interp-done-list of .interp-item
// (interpret-item.js), #title-interp-needs / #title-interp-done with the counts,
// #interp-missing-by-lang.

import { el, reorder, setText } from "../dom.js";
import { langName, t } from "../i18n.js";
import { interpreterQueue, missingOf, sendingOf, workshopLangs } from "../interpreting.js";
import { createInterpretItem } from "./interpret-item.js";

function section(id, titleKey, emptyKey, extra = null) {
  const title = el("h2", { id: `title-interp-${id}` });
  const empty = el("p", { className: "hint interp-empty", i18n: emptyKey });
  const list = el("ol", { id: `interp-${id}-list`, className: "interp-list", attrs: { "aria-labelledby": `title-interp-${id}` } });
  const root = el("section", { id: `interp-${id}`, className: `interp-section interp-${id}`, attrs: { "aria-labelledby": `title-interp-${id}` } }, title, extra, empty, list);
  return {
    el: root,
    list,
    update(items) {
      setText(title, t(titleKey, { n: items.length }));
      empty.hidden = items.length > 0;
      reorder(list, items.map((item) => item.el));
    },
  };
}

/** ctx: {store, commands, outbox, notice}. Returns {el, render}. */
export function createInterpreterView({ store, commands, outbox, notice }) {
  const intro = el("p", { className: "hint interp-intro", i18n: "interp.intro" });
  const byLang = el("p", { id: "interp-missing-by-lang", className: "interp-by-lang" });
  const needs = section("needs", "interp.needs_heading", "interp.needs_empty", byLang);
  const done = section("done", "interp.done_heading", "interp.done_empty");
  const root = el(
    "div",
    { className: "view interpreter-view", i18nLabel: "interp.title", attrs: { role: "region" } },
    el("h2", { className: "sr-only", i18n: "interp.title" }),
    intro,
    needs.el,
    done.el,
  );
  const items = new Map(); // qid -> item

  function send(qid, field, lang, text) {
    const sent = commands.send("translate", { qid, field, lang, text });
    sent.then(() => notice.show(t("interp.sent", { lang: langName(lang) })), () => {});
    return sent;
  }

  function itemFor(q) {
    if (!items.has(q.qid)) items.set(q.qid, createInterpretItem(q.qid, send));
    return items.get(q.qid);
  }

  function render() {
    const langs = workshopLangs(store.room?.event?.languages);
    const entries = outbox.entries();
    const queue = interpreterQueue(store.questions.values(), langs);
    const shown = new Set();
    const place = (q) => {
      shown.add(q.qid);
      const item = itemFor(q);
      item.update(q, { langs, sending: sendingOf(entries, q.qid), gaps: missingOf(q, langs), pinned: store.pinned === q.qid });
      return item;
    };
    const counts = langs
      .filter((lang) => queue.missing[lang] > 0)
      .map((lang) => t("interp.lang_count", { lang: langName(lang), n: queue.missing[lang] }));
    setText(byLang, counts.length ? t("interp.missing_by_lang", { counts: counts.join(" · ") }) : "");
    byLang.hidden = counts.length === 0;
    needs.update(queue.needs.map(place));
    done.update(queue.done.map(place));
    for (const qid of [...items.keys()]) if (!shown.has(qid)) items.delete(qid); // dismissed, withdrawn
  }

  return { el: root, render };
}
