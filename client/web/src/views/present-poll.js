// The presenter's poll (#present-poll): the poll the moderator put on screen (poll.show),
// open or with its final results, or nothing; its bars or word cloud in very large type, how many have voted, and the
// time left on a timed poll (.present-countdown, by the server's clock). Its title and
// options in each of the screen's languages (issue 14): two lines on a ?langs= projector.

import { el, setAttr, setText } from "../dom.js";
import { t } from "../i18n.js";
import { clockText, presenterPoll, secondsLeft } from "../polls.js";
import { textsFor } from "../screen-text.js";
import { fillTexts } from "./present-texts.js";
import { createPollResults } from "./poll-results.js";

/** langs(): the screen's languages, asked at each render (the page's may change). */
export function createPresentPoll(langs) {
  const label = el("h2", { id: "title-present-poll" });
  const title = el("p", { className: "present-poll-title" });
  const countdown = el("p", { className: "present-countdown", attrs: { role: "timer" } });
  const optionLabel = (node, poll, index) => fillTexts(node, textsFor(poll.texts?.options?.[index] ?? poll.options[index], langs()));
  const results = createPollResults({ voter: false, optionLabel });
  const root = el(
    "section",
    { id: "present-poll", className: "present-poll", attrs: { "aria-labelledby": "title-present-poll" } },
    label,
    title,
    countdown,
    results.el,
  );
  root.hidden = true;
  let shown = null;
  let ticker = null;

  function tick(store) {
    const left = shown ? secondsLeft(shown, store.serverNow()) : null;
    countdown.hidden = left == null;
    if (left != null) {
      setText(countdown, t("poll.closes_in", { time: clockText(left) }));
      setAttr(countdown, "data-seconds", String(left));
    }
    if (left == null && ticker) {
      clearInterval(ticker);
      ticker = null;
    } else if (left != null && !ticker) {
      ticker = setInterval(() => tick(store), 1000);
    }
  }

  function update(store) {
    const poll = presenterPoll(store.polls, store.onScreen);
    shown = poll;
    tick(store);
    root.hidden = !poll;
    setAttr(root, "data-poll-id", poll ? poll.poll_id : null);
    setAttr(root, "data-poll-status", poll ? poll.status : null);
    if (!poll) return;
    setText(label, t(poll.status === "open" ? "present.poll_live" : "present.poll_final"));
    fillTexts(title, textsFor(poll.texts?.title ?? poll.title, langs()));
    results.update(poll, poll.results);
  }

  return { el: root, update };
}
