// The "now answering" question (#pinned), on top of the participant and moderator views,
// with its translation into the reader's language under the original when there is one
// (issue 14), marked as the question list marks it (translation.js).

import { el, setAttr, setText } from "../dom.js";
import { orgLabel } from "../organisations.js";
import { createTranslation } from "./translation.js";

export function createPinned() {
  const body = el("div", { className: "pinned-body" });
  const root = el(
    "section",
    { id: "pinned", className: "card pinned", attrs: { "aria-labelledby": "title-pinned", "aria-live": "polite" } },
    el("h2", { id: "title-pinned", className: "pinned-heading", i18n: "pinned.heading" }),
    body,
  );
  root.hidden = true;
  let shown = null;

  function update(store) {
    const q = store.pinnedQuestion();
    root.hidden = !q;
    setAttr(root, "data-qid", q ? q.qid : null);
    if (!q) {
      if (shown) body.replaceChildren();
      shown = null;
      return;
    }
    if (!shown) {
      shown = { text: el("p", { className: "q-text" }), translation: createTranslation("text"), author: el("p", { className: "pinned-author" }) };
      body.replaceChildren(shown.text, shown.translation.el, shown.author);
    }
    setText(shown.text, q.text);
    setAttr(shown.text, "lang", q.lang || null);
    shown.translation.update(q);
    setText(shown.author, q.author ? [q.author.name, orgLabel(q.author.org)].filter(Boolean).join(" · ") : "");
  }

  return { el: root, update };
}
