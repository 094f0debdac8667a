// The presenter (projector) view: very large type, the live poll (or the last closed one),
// the pinned question, the top five live questions by votes, and how to join (room code
// and URL). Read-only.

import { el, reorder, setAttr, setText } from "../dom.js";
import { orgLabel } from "../organisations.js";
import { roomPath } from "../route.js";
import { sortQuestions } from "../store.js";
import { fitToScreen } from "./fit-screen.js";
import { createFullscreenButton } from "./present-fullscreen.js";
import { createPresentJoin } from "./present-join.js";
import { createBilingual, projectorLangs } from "./present-langs.js";
import { createPresentPoll } from "./present-poll.js";
import { createPresentStatus } from "./present-status.js";

const TOP = 5;

/** ctx: {code, store}. Returns {el, render}. */
export function createPresenterView({ code, store }) {
  const pinnedText = el("p", { id: "present-pinned", className: "present-pinned-text" });
  const pinnedAuthor = el("p", { className: "present-pinned-author" });
  const pinnedAnswer = el("p", { id: "present-answer", className: "present-answer" });
  const placeholder = el("p", { className: "present-placeholder", i18n: "present.no_pinned" });
  const pinnedSection = el(
    "section",
    { className: "present-pinned", attrs: { "aria-labelledby": "title-present-pinned", "aria-live": "polite" } },
    el("h2", { id: "title-present-pinned", i18n: "present.pinned" }),
    pinnedText,
    pinnedAuthor,
    pinnedAnswer,
    placeholder,
  );

  const top = el("ol", { id: "present-top", className: "present-top" });
  const noQuestions = el("p", { className: "present-placeholder", i18n: "present.no_questions" });
  const topSection = el(
    "section",
    { className: "present-top-section", attrs: { "aria-labelledby": "title-present-top" } },
    el("h2", { id: "title-present-top", i18n: "present.top" }),
    noQuestions,
    top,
  );

  const joinUrl = `${location.origin}${roomPath(code)}`;
  const joinBox = createPresentJoin(code, joinUrl);
  const status = createPresentStatus();

  const poll = createPresentPoll();
  const root = el(
    "div",
    { className: "view presenter-view" },
    el("div", { className: "present-main" }, poll.el, pinnedSection, topSection),
    el("div", { className: "present-side" }, joinBox, status.el, createFullscreenButton()),
  );
  const items = new Map();
  const fit = fitToScreen(root);
  const bilingual = createBilingual(root, projectorLangs());
  joinBox.addEventListener("qr-ready", fit);

  function itemFor(qid) {
    if (!items.has(qid)) {
      const text = el("span", { className: "q-text" });
      const votes = el("span", { className: "q-votes" });
      items.set(qid, { el: el("li", { className: "present-question", data: { qid } }, votes, text), text, votes });
    }
    return items.get(qid);
  }

  function render() {
    poll.update(store);
    status.render(store);
    // While a poll is open it is what the room looks at: the questions step back.
    setAttr(root, "data-poll", poll.el.hidden ? null : poll.el.dataset.pollStatus);
    const pinned = store.pinnedQuestion();
    setText(pinnedText, pinned ? pinned.text : "");
    setAttr(pinnedText, "lang", pinned?.lang || null);
    setAttr(pinnedText, "data-qid", pinned ? pinned.qid : null);
    pinnedText.hidden = !pinned;
    setText(pinnedAuthor, pinned?.author ? [pinned.author.name, orgLabel(pinned.author.org)].filter(Boolean).join(" · ") : "");
    pinnedAuthor.hidden = !pinned?.author;
    setText(pinnedAnswer, pinned?.answer || "");
    pinnedAnswer.hidden = !pinned?.answer;
    placeholder.hidden = Boolean(pinned);

    const best = sortQuestions(store.questionsWith(["live"]), "top").slice(0, TOP);
    const nodes = best.map((q) => {
      const item = itemFor(q.qid);
      setText(item.text, q.text);
      setAttr(item.text, "lang", q.lang || null);
      setText(item.votes, q.votes);
      setAttr(item.el, "data-status", q.status);
      return item.el;
    });
    for (const qid of [...items.keys()]) if (!best.some((q) => q.qid === qid)) items.delete(qid);
    reorder(top, nodes);
    noQuestions.hidden = best.length > 0;
    bilingual();
    fit();
  }

  return { el: root, render };
}
