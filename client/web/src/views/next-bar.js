// The chair's "Next question" (issue 13): marks the pinned question answered and pins the
// live one with most votes (ties: the oldest), as `moderate next` does on the server; it
// shows which question that will be before the chair presses it.

import { el, setAttr, setText } from "../dom.js";
import { t } from "../i18n.js";
import { gist } from "./question-item.js";

export function createNextBar({ store, commands }) {
  const upNext = el("p", { className: "up-next" });
  const button = el("button", {
    className: "primary next-question",
    i18n: "mod.next",
    attrs: { type: "button", "data-action": "next" },
    on: { click: () => commands.send("moderate", { qid: null, action: "next" }).catch(() => {}) },
  });
  const root = el("section", { id: "next-bar", className: "card next-bar", i18nLabel: "mod.next_region" }, upNext, button);

  function update() {
    const next = store.nextQuestion();
    setText(upNext, next ? t("mod.up_next", { text: gist(next.text) }) : t("mod.up_next_none"));
    setAttr(upNext, "lang", next?.lang || null);
    button.disabled = !next && !store.pinnedQuestion();
    setAttr(button, "title", t("mod.next_hint"));
  }

  return { el: root, update };
}
