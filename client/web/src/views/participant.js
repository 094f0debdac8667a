// The participant view, mobile first: pinned question, polls, ask box, own questions (with what
// moderation did to them), queue counts, and the question list sorted Top or Recent.

import { el, setAttr, setText } from "../dom.js";
import { t } from "../i18n.js";
import { local } from "../storage.js";
import { sortQuestions } from "../store.js";
import { createAskBox } from "./ask-box.js";
import { createNotesEditor } from "./notes-editor.js";
import { createPinned } from "./pinned.js";
import { createPollsSection } from "./polls.js";
import { createQuestionList } from "./question-list.js";
import { makeViewFor, questionHandlers } from "./question-view.js";

const SORT_KEY = "workshop.sort";
const OWN_STATUSES = ["pending", "dismissed"];

/** ctx: {store, commands, outbox, connection, notice, notes}. Returns {el, render}. */
export function createParticipantView({ store, commands, outbox, connection, notice, notes }) {
  const handlers = questionHandlers(commands);
  const pinned = createPinned();
  const ask = createAskBox({
    send: (text, anon, lang) => {
      if (!connection.isLive()) notice.show(t("ask.queued"));
      commands.send("ask", { text, lang, anon }).catch(() => {});
    },
  });

  const unsent = el("ul", { id: "unsent-questions", className: "question-list unsent" });
  const own = createQuestionList({ id: "my-questions", emptyKey: "questions.empty", handlers });
  const ownSection = el(
    "section",
    { id: "mine", className: "card mine", attrs: { "aria-labelledby": "title-mine" } },
    el("h2", { id: "title-mine", i18n: "mine.heading" }),
    unsent,
    own.el,
  );

  let sort = local().get(SORT_KEY) === "recent" ? "recent" : "top";
  const sortTop = el("button", { id: "sort-top", className: "toggle", i18n: "sort.top", props: { type: "button" } });
  const sortRecent = el("button", { id: "sort-recent", className: "toggle", i18n: "sort.recent", props: { type: "button" } });
  const setSort = (mode) => {
    sort = mode;
    local().set(SORT_KEY, mode);
    render();
  };
  sortTop.addEventListener("click", () => setSort("top"));
  sortRecent.addEventListener("click", () => setSort("recent"));

  const queueCounts = el("p", { id: "queue-counts", className: "queue-counts" });
  const list = createQuestionList({ id: "question-list", emptyKey: "questions.empty", handlers, label: "title-questions" });
  const questions = el(
    "section",
    { id: "questions", className: "questions", attrs: { "aria-labelledby": "title-questions" } },
    el(
      "div",
      { className: "questions-head" },
      el("h2", { id: "title-questions", i18n: "questions.title" }),
      el("div", { className: "sort", i18nLabel: "questions.sort", attrs: { role: "group" } }, sortTop, sortRecent),
    ),
    queueCounts,
    list.el,
  );

  const polls = createPollsSection({ store, commands, outbox, mode: "participant" });
  const notesEditor = notes ? createNotesEditor({ notes, store }) : null;
  const root = el("div", { className: "view participant-view" }, pinned.el, polls.el, ask.el, ownSection, questions, notesEditor?.el);

  function renderUnsent(entries) {
    const asks = entries.filter((e) => e.t === "ask");
    const nodes = asks.map((e) =>
      el(
        "li",
        { className: "question q-unsent", data: { cid: e.cid, status: "unsent" } },
        el("div", { className: "q-body" }, el("p", { className: "q-text", text: e.fields.text }), el("p", { className: "q-note", i18n: "mine.unsent" })),
      ),
    );
    unsent.replaceChildren(...nodes);
    unsent.hidden = nodes.length === 0;
    return nodes.length;
  }

  function render() {
    const entries = outbox.entries();
    const viewFor = makeViewFor(store, entries);
    pinned.update(store);
    polls.render();
    ask.update(store);
    notesEditor?.render();

    const mine = store.questionsWith(OWN_STATUSES).filter((q) => store.isMine(q.qid));
    own.update(sortQuestions(mine, "recent"), viewFor);
    const unsentCount = renderUnsent(entries);
    ownSection.hidden = mine.length === 0 && unsentCount === 0;

    setAttr(sortTop, "aria-pressed", sort === "top" ? "true" : "false");
    setAttr(sortRecent, "aria-pressed", sort === "recent" ? "true" : "false");

    const { pending, dismissed } = store.queue;
    setText(queueCounts, t("queue.counts", { pending, dismissed }));
    queueCounts.hidden = !(pending > 0 || dismissed > 0 || store.settings.premoderation);

    // Top: open questions by votes, then the answered ones; Recent: newest first.
    const shown =
      sort === "top"
        ? [...sortQuestions(store.questionsWith(["live"]), "top"), ...sortQuestions(store.questionsWith(["answered"]), "top")]
        : sortQuestions(store.questionsWith(["live", "answered"]), "recent");
    list.update(shown, viewFor);
  }

  return { el: root, render };
}
