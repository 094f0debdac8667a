// Per-viewer flags for each question item: own vote and count (including a vote still
// waiting in the outbox, so an offline upvote shows at once), authorship, pin, and what
// this viewer may do.

import { t } from "../i18n.js";

const NOTES = { pending: "mine.waiting", dismissed: "mine.dismissed", withdrawn: "mine.withdrawn" };

/** The votes a question shows once our queued vote (if any) lands. Pure. */
export function displayedVote({ votes, serverVoted, intent }) {
  const voted = intent ?? serverVoted;
  const delta = voted === serverVoted ? 0 : voted ? 1 : -1;
  return { voted, votes: Math.max(0, votes + delta) };
}

/**
 * Returns viewFor(q) for question lists. outboxEntries: the outbox, read once per render.
 * opts: {moderator: bool, readOnly: bool}.
 */
export function makeViewFor(store, outboxEntries, { moderator = false, readOnly = false } = {}) {
  const intents = new Map();
  for (const entry of outboxEntries) if (entry.t === "vote") intents.set(entry.fields.qid, Boolean(entry.fields.up));
  const open = store.isOpen();
  return (q) => {
    const mine = store.isMine(q.qid);
    const { voted, votes } = displayedVote({
      votes: q.votes,
      serverVoted: store.mine.votes.has(q.qid),
      intent: intents.get(q.qid),
    });
    return {
      votes,
      voted,
      canVote: !readOnly && open && q.status === "live",
      mine,
      pinned: store.pinned === q.qid,
      moderator,
      note: mine && NOTES[q.status] ? t(NOTES[q.status]) : null,
    };
  };
}

/** Makes item handlers that send through the outbox (Commands). */
export function questionHandlers(commands) {
  return {
    vote: (qid, up) => commands.send("vote", { qid, up }).catch(() => {}),
    act: (qid, action) => {
      // "Restore" brings a dismissed or withdrawn question back: `reopen` on the wire.
      const wire = action === "restore" ? "reopen" : action;
      const send = action === "withdraw" ? commands.send("withdraw", { qid }) : commands.send("moderate", { qid, action: wire });
      send.catch(() => {});
    },
    save: (qid, kind, text) => commands.send(kind === "edit" ? "edit" : "answer", { qid, text }).catch(() => {}),
  };
}
