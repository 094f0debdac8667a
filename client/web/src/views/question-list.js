// A keyed list of question items: items are created once per qid, patched in place, and
// moved only when the order really changes.

import { el, reorder, setText } from "../dom.js";
import { t } from "../i18n.js";
import { createQuestionItem } from "./question-item.js";

/** id: the <ul>'s id; emptyKey: catalogue key shown when the list is empty. */
export function createQuestionList({ id, emptyKey, handlers, label = null }) {
  const list = el("ul", { id, className: "question-list", attrs: { "aria-labelledby": label } });
  const empty = el("p", { className: "empty" });
  const root = el("div", { className: "question-list-wrap" }, empty, list);
  const items = new Map();

  /** questions: in display order; viewFor(q) gives the per-viewer flags for the item. */
  function update(questions, viewFor) {
    const seen = new Set();
    const nodes = [];
    for (const q of questions) {
      let item = items.get(q.qid);
      if (!item) {
        item = createQuestionItem(q.qid, handlers);
        items.set(q.qid, item);
      }
      item.update(q, viewFor(q));
      seen.add(q.qid);
      nodes.push(item.el);
    }
    for (const qid of [...items.keys()]) if (!seen.has(qid)) items.delete(qid);
    reorder(list, nodes);
    setText(empty, questions.length ? "" : t(emptyKey));
    empty.hidden = questions.length > 0;
  }

  return { el: root, update };
}
