// A poll's results: bars for single, multi and rating polls, a word cloud for words polls,
// and the number of voters. Patched in place, so live results do not flicker.
//
// Bar widths are set through the CSSOM (element.style.width), which the page's CSP
// (style-src 'self') allows: only style attributes written as markup are refused.
//
// Stable selectors (tests): .poll-results with .poll-result[data-option="0"] (.poll-label,
// .poll-count, .poll-bar-fill), .poll-word[data-word] (.poll-count and, for moderators,
// button[data-poll-action="hide-word"]), .poll-hidden-words button[data-poll-action=
// "show-word"], .poll-voters, .poll-average, and .poll-results-hidden.

import { el, reorder, setAttr, setText } from "../dom.js";
import { t } from "../i18n.js";
import { averageRating, cloudWords, resultRows } from "../polls.js";

/** onWord(word, hidden): given for moderators, who may hide words and show them again.
 * voter: false on a screen that never votes (the presenter), whose note says "when the
 * poll closes" even for a poll that shows each participant the results once they vote.
 * optionLabel(node, poll, index): fills an option's label (the projector writes it in its
 * two languages); by default the option in the reader's language. */
export function createPollResults({ onWord = null, voter = true, optionLabel = null } = {}) {
  const bars = el("ol", { className: "poll-bars", i18nLabel: "poll.results" });
  const cloud = el("ul", { className: "poll-cloud", i18nLabel: "poll.results" });
  const noWords = el("p", { className: "poll-no-words hint", i18n: "poll.no_words" });
  const average = el("p", { className: "poll-average" });
  const voters = el("p", { className: "poll-voters" });
  const hiddenNote = el("p", { className: "poll-results-hidden", i18n: "poll.results_hidden" });
  const hiddenWords = el("div", { className: "poll-hidden-words" });
  const root = el("div", { className: "poll-results", attrs: { "aria-live": "off" } }, bars, cloud, noWords, average, hiddenWords, hiddenNote, voters);
  const rows = new Map();
  const words = new Map();
  let hiddenKey = null;

  function rowFor(key) {
    if (!rows.has(key)) {
      const label = el("span", { className: "poll-label" });
      const fill = el("span", { className: "poll-bar-fill" });
      const count = el("span", { className: "poll-count" });
      const percent = el("span", { className: "poll-percent" });
      const node = el(
        "li",
        { className: "poll-result", data: { option: key } },
        label,
        el("span", { className: "poll-numbers" }, count, percent),
        el("span", { className: "poll-bar", attrs: { "aria-hidden": "true" } }, fill),
      );
      rows.set(key, { node, label, fill, count, percent });
    }
    return rows.get(key);
  }

  function wordFor(word) {
    if (!words.has(word)) {
      const count = el("span", { className: "poll-count" });
      const node = el("li", { className: "poll-result poll-word", data: { word } }, el("span", { className: "poll-word-text", text: word }), count);
      let hide = null;
      if (onWord) {
        hide = el("button", {
          className: "poll-word-hide link-button",
          attrs: { type: "button", "data-poll-action": "hide-word" },
          on: { click: () => onWord(word, true) },
        });
        node.append(hide);
      }
      words.set(word, { node, count, hide });
    }
    return words.get(word);
  }

  function renderBars(poll, results) {
    const list = resultRows(poll, results);
    const nodes = list.map((row) => {
      const r = rowFor(row.key);
      if (poll.kind === "rating") setText(r.label, `${row.label} ★`);
      else if (optionLabel) optionLabel(r.label, poll, Number(row.key));
      else setText(r.label, row.label);
      setAttr(r.label, "title", poll.kind === "rating" ? t("poll.stars", { n: row.label }) : null);
      setText(r.count, row.count);
      setAttr(r.count, "title", t("poll.count_votes", { n: Number(row.count) }));
      setText(r.percent, `${row.percent}%`);
      const width = `${row.percent}%`;
      if (r.fill.style.width !== width) r.fill.style.width = width;
      setAttr(r.node, "data-count", row.count);
      return r.node;
    });
    for (const key of [...rows.keys()]) if (!list.some((row) => row.key === key)) rows.delete(key);
    reorder(bars, nodes);
    setAttr(bars, "data-many", list.length > 5 ? "true" : null); // smaller rows fit one screen
  }

  function renderCloud(poll, results) {
    const list = cloudWords(results, poll.hidden_words);
    const nodes = list.map((w) => {
      const item = wordFor(w.word);
      setText(item.count, w.count);
      setAttr(item.count, "title", t("poll.count_votes", { n: Number(w.count) }));
      setAttr(item.node, "data-size", w.size);
      setAttr(item.node, "data-count", w.count);
      if (item.hide) {
        setText(item.hide, t("poll.hide_word"));
        setAttr(item.hide, "aria-label", t("poll.hide_word_label", { word: w.word }));
      }
      return item.node;
    });
    for (const word of [...words.keys()]) if (!list.some((w) => w.word === word)) words.delete(word);
    reorder(cloud, nodes);
    noWords.hidden = list.length > 0;
  }

  function renderHiddenWords(poll) {
    const list = onWord && poll.kind === "words" ? poll.hidden_words : [];
    const key = `${t("poll.hidden_words")}|${list.join("\u0000")}`;
    hiddenWords.hidden = list.length === 0;
    if (key === hiddenKey) return;
    hiddenKey = key;
    hiddenWords.replaceChildren(
      el("span", { className: "poll-hidden-label", text: t("poll.hidden_words") }),
      ...list.map((word) =>
        el(
          "span",
          { className: "poll-hidden-word", data: { word } },
          el("s", { text: word }),
          el("button", {
            className: "link-button",
            text: t("poll.show_word"),
            attrs: { type: "button", "data-poll-action": "show-word", "aria-label": t("poll.show_word_label", { word }) },
            on: { click: () => onWord(word, false) },
          }),
        ),
      ),
    );
  }

  /** results: {counts, voters}, or null when they are hidden from this viewer. */
  function update(poll, results) {
    setAttr(root, "data-kind", poll.kind);
    const shown = Boolean(results);
    hiddenNote.hidden = shown;
    const noteKey = voter && !poll.hide_results && poll.hide_until_voted && poll.status === "open" ? "poll.results_once_voted" : "poll.results_hidden";
    if (hiddenNote.dataset.i18n !== noteKey) {
      hiddenNote.dataset.i18n = noteKey;
      setText(hiddenNote, t(noteKey));
    }
    bars.hidden = !shown || poll.kind === "words";
    cloud.hidden = !shown || poll.kind !== "words";
    noWords.hidden = true;
    voters.hidden = !shown;
    average.hidden = true;
    if (shown && poll.kind === "words") renderCloud(poll, results);
    else if (shown) renderBars(poll, results);
    if (shown && poll.kind === "rating") {
      const mean = averageRating(results);
      average.hidden = mean == null;
      setText(average, mean == null ? "" : t("poll.average", { n: mean }));
    }
    setText(voters, shown ? t("poll.voters", { n: results.voters ?? 0 }) : "");
    setAttr(voters, "data-voters", shown ? results.voters ?? 0 : null);
    renderHiddenWords(poll);
  }

  return { el: root, update };
}
