// The polls section (#polls). Moderators get the draft form and every poll with its
// buttons and live results; rapporteurs the same, read only; participants the open and
// closed polls, with a vote form in each open one; their closed polls fold into a "Past
// polls (n)" <details> below the open ones (issue 13: participants scrolled past every old
// poll to reach the ask box). Commands go through the outbox, so a vote made offline is
// sent when the connection is back.

import { el, reorder, setText } from "../dom.js";
import { t } from "../i18n.js";
import { ACTION_COMMANDS, duplicateFields, showFields } from "../polls.js";
import { createPollItem } from "./poll-item.js";

const POLL_COMMANDS = ["poll.open", "poll.close", "poll.edit", "poll.hide_word", "poll.delete", "poll.show"];
const TICK_MS = 1000; // a timed poll's countdown

/** Moderators: open polls first (newest first), then drafts (oldest first), then closed. */
export function staffOrder(polls) {
  const by = (status) => polls.filter((p) => p.status === status);
  return [...by("open").reverse(), ...by("draft"), ...by("closed").reverse()];
}

/** Participants: open polls (newest first), then closed ones (newest first). */
export function participantOrder(polls) {
  const by = (status) => polls.filter((p) => p.status === status).reverse();
  return [...by("open"), ...by("closed")];
}

/** mode: "moderator", "rapporteur" or "participant"; createEditor: the moderator's draft form
 * (poll-editor.js), passed in by the console so that the participant's bundle never holds
 * it. Returns {el, render}. */
export function createPollsSection({ store, commands, outbox, mode, createEditor = null }) {
  const staff = mode !== "participant";
  let editor = null;
  const handlers = {
    vote: (pollId, choice) => {
      // Only the latest choice matters: an older one still waiting to be sent goes.
      commands.supersede("poll.vote", (fields) => fields.poll_id === pollId);
      commands.send("poll.vote", { poll_id: pollId, choice }).catch(() => {});
    },
    act: (pollId, action) => {
      if (action === "edit") {
        const poll = store.polls.get(pollId);
        if (poll && editor) editor.edit(poll);
        return;
      }
      if (action === "show" || action === "unshow") {
        commands.supersede("poll.show", () => true); // only the latest screen choice matters
        commands.send("poll.show", showFields(action, pollId)).catch(() => {});
        return;
      }
      if (action === "duplicate") {
        const poll = store.polls.get(pollId);
        if (poll) commands.send("poll.create", duplicateFields(poll)).catch(() => {});
        return;
      }
      const type = ACTION_COMMANDS[action];
      if (type) commands.send(type, { poll_id: pollId }).catch(() => {});
    },
    word: (pollId, word, hidden) => commands.send("poll.hide_word", { poll_id: pollId, word, hidden }).catch(() => {}),
  };
  if (mode === "moderator" && createEditor) {
    editor = createEditor({
      submit: (fields, pollId) => {
        const send = pollId ? commands.send("poll.edit", { poll_id: pollId, ...fields }) : commands.send("poll.create", fields);
        send.catch(() => {});
      },
    });
  }

  const list = el("div", { id: "poll-list", className: "poll-list" });
  const empty = el("p", { className: "empty hint" });
  // Participants only: closed polls, folded (closed by default; a person's toggle stays).
  const pastList = staff ? null : el("div", { id: "past-poll-list", className: "poll-list past-poll-list" });
  const pastSummary = staff ? null : el("summary", { className: "past-polls-summary" });
  const past = staff ? null : el("details", { id: "past-polls", className: "past-polls" }, pastSummary, pastList);
  const root = el(
    "section",
    { id: "polls", className: "polls", attrs: { "aria-labelledby": "title-polls" } },
    el("h2", { id: "title-polls", i18n: "poll.heading" }),
    editor ? editor.el : null,
    empty,
    list,
    past,
  );
  const items = new Map();
  let ticker = null;

  /** Countdowns move once a second while a timed poll is open, and stop after. */
  function tick() {
    const now = store.serverNow();
    let timed = false;
    for (const item of items.values()) {
      item.tick(now);
      timed ||= item.timed();
    }
    if (!timed && ticker) {
      clearInterval(ticker);
      ticker = null;
    }
  }

  function render() {
    const entries = outbox.entries();
    // Our votes still in the outbox show at once, marked as being sent.
    const intents = new Map();
    const busy = new Set();
    for (const e of entries) {
      if (e.t === "poll.vote") intents.set(e.fields.poll_id, e.fields.choice);
      if (POLL_COMMANDS.includes(e.t) && e.fields.poll_id != null) busy.add(e.fields.poll_id);
    }
    const all = store.pollList().filter((p) => staff || p.status !== "draft");
    const shown = staff ? staffOrder(all) : participantOrder(all);
    const open = store.isOpen();
    const nodes = shown.map((poll) => {
      let item = items.get(poll.poll_id);
      if (!item) {
        item = createPollItem(poll.poll_id, handlers, mode);
        items.set(poll.poll_id, item);
      }
      const pending = intents.has(poll.poll_id);
      item.update(poll, {
        mine: pending ? intents.get(poll.poll_id) : store.myPollVote(poll.poll_id),
        pending,
        canVote: open && poll.status === "open",
        busy: busy.has(poll.poll_id),
        onScreen: store.onScreen === poll.poll_id,
      });
      return item.el;
    });
    for (const id of [...items.keys()]) if (!shown.some((p) => p.poll_id === id)) items.delete(id);
    if (past) {
      const closed = shown.filter((p) => p.status === "closed").length;
      reorder(list, nodes.slice(0, nodes.length - closed));
      reorder(pastList, nodes.slice(nodes.length - closed));
      setText(pastSummary, t("poll.past", { n: closed }));
      past.hidden = closed === 0;
    } else {
      reorder(list, nodes);
    }
    tick();
    if (!ticker && [...items.values()].some((item) => item.timed())) ticker = setInterval(tick, TICK_MS);
    editor?.update(store);
    setText(empty, shown.length || !staff ? "" : t("poll.empty_staff"));
    empty.hidden = shown.length > 0 || !staff;
    // Participants see the section only when there is a poll to see.
    root.hidden = !staff && shown.length === 0;
  }

  return { el: root, render };
}
