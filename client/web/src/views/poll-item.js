// One poll as a card: title, kind and status, the moderator's buttons, the participant's
// vote form (radio, checkbox, stars or a word) with their own vote marked, and the results
// when this viewer may see them. Patched in place: a choice being made survives other
// people's votes.
//
// Stable selectors (tests): [data-poll-id][data-poll-status], button[data-poll-action=
// "open|close|reopen|edit|duplicate|delete|vote"], input[name="poll-choice-<id>"],
// .poll-word-input, .poll-mine (own vote), label.poll-choice[data-mine], .poll-countdown
// (a timed open poll: the time left, by the server's clock), and the results
// (poll-results.js).

import { el, setAttr, setText } from "../dom.js";
import { getLang, t } from "../i18n.js";
import { checkedValues, choiceFrom, clockText, describeChoice, pollActions, sameChoice, secondsLeft, STARS, WORD_MAX } from "../polls.js";
import { actionBar } from "./action-bar.js";
import { createPollResults } from "./poll-results.js";

/**
 * handlers: {vote(pollId, choice), act(pollId, action), word(pollId, word, hidden)}.
 * mode: "moderator" (buttons, hide words), "rapporteur" (read only) or "participant".
 * update(poll, view) with view = {mine, pending, canVote, busy}; tick(serverNow) moves the
 * countdown of a timed poll.
 */
export function createPollItem(pollId, handlers, mode) {
  const staff = mode !== "participant";
  const title = el("h3", { className: "poll-title" });
  const kind = el("span", { className: "badge poll-kind" });
  const status = el("span", { className: "badge poll-status-badge" });
  const hiding = el("span", { className: "badge poll-hiding" });
  const countdown = el("span", { className: "badge poll-countdown", attrs: { role: "timer" } });
  const screenBadge = el("span", { className: "badge poll-on-screen", i18n: "poll.on_screen_badge" });
  const optionsPreview = el("ol", { className: "poll-options-preview" });
  const actions = el("div", { className: "poll-actions button-row" });
  const form = el("form", { className: "poll-vote", attrs: { novalidate: true } });
  const mineNote = el("p", { className: "poll-mine" });
  const closedNote = el("p", { className: "poll-closed-note hint", i18n: "poll.closed_note" });
  const results = createPollResults({ onWord: mode === "moderator" ? (word, hidden) => handlers.word(pollId, word, hidden) : null });
  const root = el(
    "article",
    { className: "card poll", data: { pollId } },
    el("div", { className: "poll-head" }, title, el("p", { className: "poll-meta" }, kind, status, screenBadge, hiding, countdown)),
    optionsPreview,
    form,
    mineNote,
    closedNote,
    results.el,
    actions,
  );

  let current = null;
  let formKey = "";
  let inputs = []; // radio / checkbox inputs
  let wordInput = null;
  let voteButton = null;
  let dirty = false; // the person is choosing: leave the inputs alone
  let shownMine; // the own vote the inputs were last set from
  let lastView = null;

  function formChoice() {
    if (!current) return null;
    return choiceFrom(current.kind, {
      checked: inputs.filter((i) => i.checked).map((i) => i.value),
      word: wordInput ? wordInput.value : "",
    });
  }

  function refreshButton(view) {
    if (!voteButton) return;
    const choice = formChoice();
    const mine = view?.mine ?? null;
    setText(voteButton, t(mine == null ? "poll.vote" : "poll.change_vote"));
    voteButton.disabled = !view?.canVote || choice == null || sameChoice(choice, mine);
  }

  function buildForm(poll) {
    const name = `poll-choice-${pollId}`;
    inputs = [];
    wordInput = null;
    const fields = [];
    if (poll.kind === "words") {
      wordInput = el("input", {
        className: "poll-word-input",
        i18nPlaceholder: "poll.word_placeholder",
        i18nLabel: "poll.word_label",
        attrs: { type: "text", maxlength: WORD_MAX, autocomplete: "off", enterkeyhint: "send" },
      });
      wordInput.addEventListener("input", () => {
        dirty = true;
        refreshButton(lastView);
      });
      fields.push(wordInput);
    } else {
      const values = poll.kind === "rating" ? Array.from({ length: STARS }, (_, i) => i + 1) : poll.options.map((_, i) => i);
      const group = el("div", { className: `poll-choices poll-choices-${poll.kind}`, attrs: { role: "group", "aria-label": poll.title } });
      for (const value of values) {
        const input = el("input", { attrs: { type: poll.kind === "multi" ? "checkbox" : "radio", name, value } });
        input.addEventListener("change", () => {
          dirty = true;
          refreshButton(lastView);
        });
        inputs.push(input);
        const text =
          poll.kind === "rating"
            ? el("span", { className: "poll-stars", text: "★".repeat(value), attrs: { "aria-label": t("poll.stars", { n: value }) } })
            : el("span", { className: "poll-choice-text", text: poll.options[value] });
        const mark = el("span", { className: "badge poll-mine-mark", text: t("poll.your_vote") });
        mark.hidden = true;
        group.append(el("label", { className: "poll-choice", data: { value: String(value) } }, input, text, mark));
      }
      fields.push(group);
    }
    voteButton = el("button", { className: "primary poll-vote-button", attrs: { type: "submit", "data-poll-action": "vote" } });
    form.replaceChildren(...fields, el("div", { className: "button-row" }, voteButton));
    dirty = false;
    shownMine = undefined;
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const choice = formChoice();
    if (choice == null || !lastView?.canVote || sameChoice(choice, lastView.mine)) return;
    handlers.vote(pollId, choice);
    dirty = false;
  });

  function setInputsFrom(mine) {
    const values = new Set(checkedValues(mine));
    for (const input of inputs) input.checked = values.has(input.value);
    if (wordInput) wordInput.value = typeof mine === "string" ? mine : "";
  }

  const renderActions = actionBar(actions, (action) =>
    el("button", {
      className: `poll-action poll-action-${action}${action === "open" || action === "reopen" ? " primary" : ""}${action === "delete" ? " danger" : ""}`,
      text: t(`poll.action.${action}`),
      attrs: { type: "button", "data-poll-action": action },
      on: {
        click: () => {
          if (action === "delete" && !globalThis.confirm?.(t("poll.delete_confirm", { title: current?.title ?? "" }))) return;
          handlers.act(pollId, action);
        },
      },
    }),
  );

  function renderPreview(poll) {
    const show = staff && poll.status === "draft" && (poll.kind === "single" || poll.kind === "multi");
    optionsPreview.hidden = !show;
    const key = show ? poll.options.join("\u0000") : "";
    if (optionsPreview.dataset.key === key) return;
    optionsPreview.dataset.key = key;
    optionsPreview.replaceChildren(...(show ? poll.options.map((o) => el("li", { text: o })) : []));
  }

  function update(poll, view) {
    current = poll;
    lastView = view;
    setAttr(root, "data-poll-status", poll.status);
    setAttr(root, "data-poll-kind", poll.kind);
    setText(title, poll.title);
    setText(kind, t(`poll.kind.${poll.kind}`));
    setText(status, t(`poll.status.${poll.status}`));
    setAttr(status, "data-status", poll.status);
    const hidingKey = poll.hide_results ? "poll.results_hidden_badge" : poll.hide_until_voted ? "poll.results_once_voted_badge" : null;
    hiding.hidden = !hidingKey;
    if (hidingKey) {
      hiding.dataset.i18n = hidingKey;
      setText(hiding, t(hidingKey));
    }
    tick(lastNow);
    renderPreview(poll);

    // The vote form: participants (and nobody else) vote in open polls.
    const voting = mode === "participant" && poll.status === "open";
    form.hidden = !voting;
    if (voting) {
      const key = `${getLang()}|${poll.kind}|${poll.options.join("\u0000")}`;
      if (key !== formKey) {
        formKey = key;
        buildForm(poll);
      }
      // Follow our vote (made here, in another tab, or restored) unless a choice is being made.
      if (shownMine === undefined || (!dirty && !sameChoice(shownMine, view.mine))) {
        setInputsFrom(view.mine);
        shownMine = view.mine;
      }
      const marked = new Set(checkedValues(view.mine));
      for (const input of inputs) {
        const label = input.closest("label");
        const mark = label.querySelector(".poll-mine-mark");
        setText(mark, t("poll.your_vote"));
        mark.hidden = !marked.has(input.value);
        setAttr(label, "data-mine", marked.has(input.value) ? "true" : null);
      }
      refreshButton(view);
      for (const input of inputs) input.disabled = !view.canVote;
      if (wordInput) wordInput.disabled = !view.canVote;
    }

    const mine = mode === "participant" ? view.mine : null;
    const mineText = mine == null ? "" : t(view.pending ? "poll.sending" : "poll.you_voted", { choice: describeChoice(poll, mine) });
    setText(mineNote, mineText);
    mineNote.hidden = !mineText;
    setAttr(mineNote, "data-pending", view.pending ? "true" : null);
    closedNote.hidden = !(mode === "participant" && poll.status === "closed");

    // Results once the poll has opened; null (hidden from us) shows a note instead.
    results.el.hidden = poll.status === "draft";
    if (poll.status !== "draft") results.update(poll, poll.results);

    const list = mode === "moderator" ? pollActions(poll.status, view.onScreen) : [];
    screenBadge.hidden = !(staff && view.onScreen);
    setAttr(root, "data-on-screen", view.onScreen ? "true" : null);
    renderActions(list);
    for (const button of actions.querySelectorAll("button")) button.disabled = Boolean(view.busy);
  }

  let lastNow = Date.now() / 1000;
  /** The countdown of a timed open poll, by the server's clock (seconds). */
  function tick(now) {
    lastNow = now;
    const left = current ? secondsLeft(current, now) : null;
    countdown.hidden = left == null;
    if (left == null) return;
    setText(countdown, t("poll.closes_in", { time: clockText(left) }));
    setAttr(countdown, "data-seconds", String(left));
  }

  return { el: root, update, tick, timed: () => current != null && secondsLeft(current, lastNow) != null };
}
