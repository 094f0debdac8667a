// The moderator view: the pinned question, room settings, polls, and the queues (pending, live,
// answered, dismissed, withdrawn) with counts and one-click actions on every question.
// The rapporteur gets the same queues read-only, with the transcript downloads instead.

import { el, setText } from "../dom.js";
import { t } from "../i18n.js";
import { sortQuestions } from "../store.js";
import { createNextBar } from "./next-bar.js";
import { createNotesEditor } from "./notes-editor.js";
import { createPinned } from "./pinned.js";
import { createPollsSection } from "./polls.js";
import { createQuestionList } from "./question-list.js";
import { makeViewFor, questionHandlers } from "./question-view.js";
import { createSettingsPanel } from "./settings-panel.js";
import { createTranscriptPanel } from "./transcript.js";

// Pending oldest first (a queue), live by votes, the rest newest first.
const QUEUES = [
  { status: "pending", order: (qs) => sortQuestions(qs, "recent").reverse() },
  { status: "live", order: (qs) => sortQuestions(qs, "top") },
  { status: "answered", order: (qs) => sortQuestions(qs, "recent") },
  { status: "dismissed", order: (qs) => sortQuestions(qs, "recent") },
  { status: "withdrawn", order: (qs) => sortQuestions(qs, "recent") },
];

/** ctx: {code, store, commands, outbox, key, notice, notes}; readOnly (the questions) for the
 * rapporteur, who still edits the notes like any participant. */
export function createModeratorView({ code, store, commands, outbox, key, notice, notes }, { readOnly = false } = {}) {
  const handlers = questionHandlers(commands);
  const pinned = createPinned();
  const nextBar = readOnly ? null : createNextBar({ store, commands });
  const panel = readOnly ? createTranscriptPanel({ code, key, notice }) : createSettingsPanel({ code, commands });
  const polls = createPollsSection({ store, commands, outbox, mode: readOnly ? "rapporteur" : "moderator" });
  const notesEditor = notes ? createNotesEditor({ notes, store }) : null;

  const nav = el("nav", { className: "queue-nav", i18nLabel: "mod.title" });
  const sections = QUEUES.map((queue) => {
    const titleId = `title-queue-${queue.status}`;
    const heading = el("h3", { id: titleId });
    const list = createQuestionList({ id: `queue-${queue.status}`, emptyKey: "mod.empty", handlers, label: titleId });
    const link = el("a", { className: "queue-link", attrs: { href: `#section-${queue.status}` }, data: { queue: queue.status } });
    nav.append(link);
    const section = el(
      "section",
      { id: `section-${queue.status}`, className: `card queue queue-${queue.status}`, attrs: { "aria-labelledby": titleId } },
      heading,
      list.el,
    );
    return { ...queue, heading, list, link, section };
  });

  const root = el(
    "div",
    { className: "view moderator-view" },
    pinned.el,
    nextBar?.el,
    readOnly ? el("p", { className: "hint", i18n: "rap.intro" }) : null,
    panel.el,
    polls.el,
    el(
      "section",
      { id: "questions", className: "questions", attrs: { "aria-labelledby": "title-questions" } },
      el("h2", { id: "title-questions", i18n: "questions.title" }),
      nav,
      ...sections.map((s) => s.section),
    ),
    notesEditor?.el,
  );

  function render() {
    const entries = outbox.entries();
    pinned.update(store);
    nextBar?.update();
    panel.update(store, entries);
    polls.render();
    notesEditor?.render();
    const viewFor = makeViewFor(store, entries, { moderator: !readOnly, readOnly });
    for (const s of sections) {
      const qs = s.order(store.questionsWith([s.status]));
      const label = t(`mod.queue.${s.status}`);
      const title = t("mod.queue_count", { label, n: qs.length });
      setText(s.heading, title);
      setText(s.link, title);
      s.link.dataset.count = String(qs.length);
      s.list.update(qs, viewFor);
    }
  }

  return { el: root, render };
}

/** The rapporteur's view: the moderator's queues, read-only, and the transcript. */
export function createRapporteurView(ctx) {
  return createModeratorView(ctx, { readOnly: true });
}
