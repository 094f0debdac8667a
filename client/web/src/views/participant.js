// The participant view, mobile first (issue 13): the ask box on top and who is here by
// organisation, then Q&A (pinned question, own questions with what moderation did to them,
// queue counts, the list sorted Top or Recent), Polls (open ones, then "Past polls" folded)
// and Notes: tabs below 1024 px, with a badge on Polls for open polls not yet answered;
// side by side from 1024 px (participant-tabs.js).

import { el, setAttr, setText } from "../dom.js";
import { t } from "../i18n.js";
import { presenceLine } from "../organisations.js";
import { local } from "../storage.js";
import { sortQuestions } from "../store.js";
import { createAskBox } from "./ask-box.js";
import { createNotesEditor } from "./notes-editor.js";
import { createSectionTabs } from "./participant-tabs.js";
import { createPinned } from "./pinned.js";
import { createPollsSection } from "./polls.js";
import { createPrompts } from "./prompts.js";
import { createQuestionList } from "./question-list.js";
import { makeViewFor, questionHandlers } from "./question-view.js";
import { onlyMyLanguage, setOnlyMyLanguage, translationFor } from "./translation.js";

// The room page's notes client comes with the view (room.js): one chunk fewer to fetch.
export { NotesSync } from "../notes.js";

const SORT_KEY = "workshop.sort";
const OWN_STATUSES = ["pending", "dismissed"];

/** ctx: {store, commands, outbox, connection, notice, notes}. Returns {el, render}. */
export function createParticipantView({ store, commands, outbox, connection, notice, notes }) {
  const handlers = questionHandlers(commands);
  const pinned = createPinned();
  const prompts = createPrompts();
  const ask = createAskBox({
    send: (text, anon, lang, chosen) => {
      if (!connection.isLive()) notice.show(t("ask.queued"));
      commands.send("ask", { text, lang, anon, ...(chosen ? { lang_chosen: true } : {}) }).catch(() => {});
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

  // Issue 14: where an interpreter translated a question into my language, show only that.
  const onlyMine = el("input", { id: "only-my-language", attrs: { type: "checkbox" } });
  onlyMine.checked = onlyMyLanguage();
  onlyMine.addEventListener("change", () => {
    setOnlyMyLanguage(onlyMine.checked);
    render();
  });
  const onlyMineRow = el("label", { className: "check only-my-language", attrs: { for: "only-my-language" } }, onlyMine, el("span", { i18n: "part.only_my_language" }));
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
    onlyMineRow,
    queueCounts,
    list.el,
  );

  const polls = createPollsSection({ store, commands, outbox, mode: "participant" });
  const notesEditor = notes ? createNotesEditor({ notes, store }) : null;

  // Who is here: participants only, by organisation (the server counts them; the projector
  // shows the same line in present-status.js).
  const presence = el("p", { id: "presence-orgs", className: "presence-orgs hint" });
  const pollsEmpty = el("p", { id: "polls-none", className: "hint card", i18n: "part.polls_none" });
  const panels = [
    { id: "qa", i18n: "part.tab_qa", panel: el("div", { id: "panel-qa", className: "participant-panel" }, pinned.el, ownSection, questions) },
    { id: "polls", i18n: "part.tab_polls", panel: el("div", { id: "panel-polls", className: "participant-panel" }, polls.el, pollsEmpty) },
  ];
  if (notesEditor) panels.push({ id: "notes", i18n: "part.tab_notes", panel: el("div", { id: "panel-notes", className: "participant-panel" }, notesEditor.el) });
  const tabs = createSectionTabs(panels);
  const root = el(
    "div",
    { className: "view participant-view" },
    el("div", { className: "participant-main" }, ask.el, presence, prompts.el, tabs.el, panels[0].panel),
    el("div", { className: "participant-side" }, panels.slice(1).map((p) => p.panel)),
  );

  /** Open polls this participant has not answered (a vote still in the outbox counts). */
  function unansweredPolls(entries) {
    const sent = new Set(entries.filter((e) => e.t === "poll.vote").map((e) => e.fields.poll_id));
    return store.pollList().filter((p) => p.status === "open" && !sent.has(p.poll_id) && store.myPollVote(p.poll_id) == null).length;
  }

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
    prompts.update(store);
    polls.render();
    pollsEmpty.hidden = !polls.el.hidden; // and always on a wide screen (participant.css)
    const waiting = unansweredPolls(entries);
    tabs.badge("polls", waiting > 0 ? String(waiting) : null, t("part.tab_polls_waiting", { n: waiting }));
    tabs.render();
    const here = store.presence.count;
    const orgs = presenceLine(store.presence.byOrg);
    setText(presence, here ? t("part.presence", { n: here, orgs: orgs || t("present.no_org") }) : "");
    presence.hidden = !here;
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
    // The toggle only matters once something is translated into this reader's language.
    onlyMineRow.hidden = !shown.some((q) => translationFor(q, "text") || translationFor(q, "answer"));
  }

  return { el: root, render };
}
