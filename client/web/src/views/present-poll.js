// The presenter's poll (#present-poll): the open poll (or, when none is open, the one that
// closed last), its bars or word cloud in very large type, and how many have voted.

import { el, setAttr, setText } from "../dom.js";
import { t } from "../i18n.js";
import { presenterPoll } from "../polls.js";
import { createPollResults } from "./poll-results.js";

export function createPresentPoll() {
  const label = el("h2", { id: "title-present-poll" });
  const title = el("p", { className: "present-poll-title" });
  const results = createPollResults();
  const root = el(
    "section",
    { id: "present-poll", className: "present-poll", attrs: { "aria-labelledby": "title-present-poll" } },
    label,
    title,
    results.el,
  );
  root.hidden = true;

  function update(store) {
    const poll = presenterPoll(store.pollList());
    root.hidden = !poll;
    setAttr(root, "data-poll-id", poll ? poll.poll_id : null);
    setAttr(root, "data-poll-status", poll ? poll.status : null);
    if (!poll) return;
    setText(label, t(poll.status === "open" ? "present.poll_live" : "present.poll_final"));
    setText(title, poll.title);
    results.update(poll, poll.results);
  }

  return { el: root, update };
}
