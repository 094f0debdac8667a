// The presenter (projector) view: very large type, the live poll (or the last closed one),
// the pinned question, the top five live questions by votes, and how to join (room code
// and URL). Read-only. In the screen's languages (issue 14): the poll's title and options
// in both of a ?langs= pair, and beside a question's original its translations into the
// screen's languages and the other city's (screen-text.js): two for the pinned question,
// one for each of the top five while the fit to the screen leaves room (data-compact).

import { el, reorder, setAttr, setText } from "../dom.js";
import { orgLabel } from "../organisations.js";
import { roomPath } from "../route.js";
import { screenLangs, screenTranslations } from "../screen-text.js";
import { sortQuestions } from "../store.js";
import { fitToScreen } from "./fit-screen.js";
import { createFullscreenButton } from "./present-fullscreen.js";
import { createPresentJoin } from "./present-join.js";
import { createBilingual, projectorLangs } from "./present-langs.js";
import { createPresentPoll } from "./present-poll.js";
import { createPresentStatus } from "./present-status.js";
import { createScreenTranslations } from "./present-texts.js";

const TOP = 5;
// "If space allows" (issue 14): the top five's translations go (the pinned question's
// stay) when keeping them would shrink the whole screen below this share of its size
// without them.
const KEEP_TRANSLATIONS = 0.85;

/** ctx: {code, store}. Returns {el, render}. */
export function createPresenterView({ code, store }) {
  const pinnedText = el("p", { id: "present-pinned", className: "present-pinned-text" });
  const pinnedTranslations = createScreenTranslations("present-pinned-translations");
  const pinnedAuthor = el("p", { className: "present-pinned-author" });
  const pinnedAnswer = el("p", { id: "present-answer", className: "present-answer" });
  const answerTranslations = createScreenTranslations("present-answer-translations");
  const placeholder = el("p", { className: "present-placeholder", i18n: "present.no_pinned" });
  const pinnedSection = el(
    "section",
    { className: "present-pinned", attrs: { "aria-labelledby": "title-present-pinned", "aria-live": "polite" } },
    el("h2", { id: "title-present-pinned", i18n: "present.pinned" }),
    pinnedText,
    pinnedTranslations.el,
    pinnedAuthor,
    pinnedAnswer,
    answerTranslations.el,
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

  const pair = projectorLangs();
  const langs = () => screenLangs(pair);
  const poll = createPresentPoll(langs);
  const root = el(
    "div",
    { className: "view presenter-view" },
    el("div", { className: "present-main" }, poll.el, pinnedSection, topSection),
    el("div", { className: "present-side" }, joinBox, status.el, createFullscreenButton()),
  );
  const items = new Map();
  const fit = fitToScreen(root);
  const bilingual = createBilingual(root, pair);
  joinBox.addEventListener("qr-ready", fit);
  window.addEventListener("resize", () => fitWithTranslations()); // after fit's own: may undo it

  function itemFor(qid) {
    if (!items.has(qid)) {
      const text = el("span", { className: "q-text" });
      const votes = el("span", { className: "q-votes" });
      const translations = createScreenTranslations("present-question-translations");
      const body = el("div", { className: "present-question-body" }, text, translations.el);
      items.set(qid, { el: el("li", { className: "present-question", data: { qid } }, votes, body), text, votes, translations });
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
    pinnedTranslations.update(pinned ? screenTranslations(pinned, langs()) : []);
    setText(pinnedAuthor, pinned?.author ? [pinned.author.name, orgLabel(pinned.author.org)].filter(Boolean).join(" · ") : "");
    pinnedAuthor.hidden = !pinned?.author;
    setText(pinnedAnswer, pinned?.answer || "");
    pinnedAnswer.hidden = !pinned?.answer;
    answerTranslations.update(pinned?.answer ? screenTranslations(pinned, langs(), { field: "answer", max: 1 }) : []);
    placeholder.hidden = Boolean(pinned);

    const best = sortQuestions(store.questionsWith(["live"]), "top").slice(0, TOP);
    const nodes = best.map((q) => {
      const item = itemFor(q.qid);
      setText(item.text, q.text);
      setAttr(item.text, "lang", q.lang || null);
      setText(item.votes, q.votes);
      item.translations.update(screenTranslations(q, langs(), { max: 1 }));
      setAttr(item.el, "data-status", q.status);
      return item.el;
    });
    for (const qid of [...items.keys()]) if (!best.some((q) => q.qid === qid)) items.delete(qid);
    reorder(top, nodes);
    noQuestions.hidden = best.length > 0;
    bilingual();
    fitWithTranslations();
  }

  function fitWithTranslations() {
    setAttr(root, "data-compact", null);
    fit();
    const withThem = Number(root.dataset.fitScale);
    if (withThem >= KEEP_TRANSLATIONS || !top.querySelector(".present-question-translations:not([hidden])")) return;
    setAttr(root, "data-compact", "true");
    fit();
    if (withThem >= KEEP_TRANSLATIONS * Number(root.dataset.fitScale)) {
      setAttr(root, "data-compact", null);
      fit();
    }
  }

  return { el: root, render };
}
