// One question as a list item, patched in place on every change so that an open editor, a
// focused button or a selection survives other people's votes.
//
// Stable selectors (tests): [data-qid][data-status] with .q-text, .q-votes, .q-upvote
// (aria-pressed), .q-answer, .q-author, .q-time, button[data-action=...], and the editors
// .q-edit-text / .q-answer-text with button[data-action="save"].

import { el, setAttr, setText } from "../dom.js";
import { getLang, t } from "../i18n.js";
import { orgLabel } from "../organisations.js";
import { formatDual, formatDualLong, isoTime } from "../time.js";
import { actionBar } from "./action-bar.js";
import { createTranslation, onlyMyLanguage } from "./translation.js";

export const TEXT_MAX = 500;
export const ANSWER_MAX = 2000;

/** The moderator's one-click actions for a question in this status (docs/protocol.md (Part 2)). */
/** The start of a question, for names that say what a control acts on ("Upvote: …"). */
export function gist(text, max = 80) {
  const one = String(text || "").replace(/\s+/g, " ").trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

const CONFIRM_MS = 5000; // how long a "tap again to withdraw" waits for the second tap

/**
 * Withdrawing cannot be undone by its author, so it takes two taps (issue 13): the first
 * turns the button into "Tap again to withdraw" for a few seconds. True on the second.
 */
function confirmed(button) {
  if (button.dataset.confirm === "true") return true;
  const say = (key) => {
    setText(button, t(key));
    setAttr(button, "aria-label", `${t(key)}: ${button.dataset.subject}`);
  };
  button.dataset.confirm = "true";
  say("action.withdraw_confirm");
  setTimeout(() => {
    delete button.dataset.confirm;
    say("action.withdraw");
  }, CONFIRM_MS);
  return false;
}

export function moderatorActions(status, pinned) {
  const pin = pinned ? "unpin" : "pin";
  switch (status) {
    case "pending":
      return ["approve", "dismiss", "edit", "answer"];
    case "live":
      return ["answered", pin, "dismiss", "edit", "answer"];
    case "answered":
      return ["reopen", pin, "edit", "answer"];
    case "dismissed":
      return ["restore", "edit"];
    case "withdrawn":
      return ["restore"];
    default:
      return [];
  }
}

function authorText(q) {
  if (!q.author) return t("q.anonymous");
  const name = q.author.name || t("q.anonymous");
  return q.author.org ? `${name} (${orgLabel(q.author.org)})` : name; // the reader's language (issue 14)
}

/**
 * handlers: {vote(qid, up), act(qid, action), save(qid, kind, text)}.
 * update(q, view) with view = {votes, voted, canVote, mine, pinned, moderator, note}.
 */
export function createQuestionItem(qid, handlers) {
  const upvote = el("button", {
    className: "q-upvote",
    attrs: { type: "button", "aria-pressed": "false" },
    on: { click: () => handlers.vote(qid, upvote.getAttribute("aria-pressed") !== "true") },
  });
  const upLabel = el("span", { className: "sr-only" });
  upvote.append(el("span", { className: "q-arrow", text: "▲", attrs: { "aria-hidden": "true" } }), upLabel);
  const votes = el("span", { className: "q-votes" });
  const text = el("p", { className: "q-text" });
  const textTranslation = createTranslation("text");
  const answerTranslation = createTranslation("answer");
  let showOriginal = false; // with "only my language": this question's original, on demand
  const originalToggle = el("button", {
    className: "link-button q-show-original",
    attrs: { type: "button", "aria-expanded": "false" },
    on: {
      click: () => {
        showOriginal = !showOriginal;
        if (current) update(current, lastView);
      },
    },
  });
  const author = el("span", { className: "q-author" });
  const you = el("span", { className: "badge badge-you" });
  const time = el("time", { className: "q-time" });
  const badge = el("span", { className: "badge q-status" });
  const pinBadge = el("span", { className: "badge badge-pinned" });
  const edited = el("span", { className: "q-edited" });
  const note = el("p", { className: "q-note" });
  const answerSlot = el("div", { className: "q-answer-slot" });
  const actions = el("div", { className: "q-actions" });
  const editorSlot = el("div", { className: "q-editor-slot" });
  const body = el(
    "div",
    { className: "q-body" },
    text,
    textTranslation.el,
    originalToggle,
    el("p", { className: "q-meta" }, author, you, time, edited, badge, pinBadge),
    note,
    answerSlot,
    answerTranslation.el,
    actions,
    editorSlot,
  );
  const root = el("li", { className: "question", data: { qid } }, el("div", { className: "q-vote" }, upvote, votes), body);

  let current = null;
  let editor = null; // {kind, node}

  function openEditor(kind) {
    closeEditor();
    const isEdit = kind === "edit";
    const area = el("textarea", {
      className: isEdit ? "q-edit-text" : "q-answer-text",
      i18nLabel: isEdit ? "action.edit_label" : "action.answer_label",
      attrs: { rows: isEdit ? 3 : 4, maxlength: isEdit ? TEXT_MAX : ANSWER_MAX },
      props: { value: (isEdit ? current?.text : current?.answer) ?? "" },
    });
    const save = el("button", {
      className: "primary",
      i18n: "action.save",
      attrs: { type: "button", "data-action": "save" },
      on: {
        click: () => {
          const value = area.value.trim();
          if (!value) return area.focus();
          handlers.save(qid, kind, value);
          closeEditor();
        },
      },
    });
    const cancel = el("button", {
      i18n: "action.cancel",
      attrs: { type: "button", "data-action": "cancel" },
      on: { click: closeEditor },
    });
    const node = el("div", { className: `q-editor q-editor-${kind}` }, area, el("div", { className: "q-editor-buttons" }, save, cancel));
    editorSlot.append(node);
    editor = { kind, node };
    area.focus();
  }

  function closeEditor() {
    if (editor) editor.node.remove();
    editor = null;
  }

  const renderActions = actionBar(actions, (action) => {
    const button = el("button", {
      className: `action action-${action}`,
      text: t(`action.${action}`),
      attrs: { type: "button", "data-action": action, "aria-label": `${t(`action.${action}`)}: ${gist(current?.text)}` },
      data: { subject: gist(current?.text) },
      on: {
        click: () => {
          if (action === "edit" || action === "answer") return openEditor(action);
          if (action === "withdraw" && !confirmed(button)) return;
          handlers.act(qid, action);
        },
      },
    });
    return button;
  });

  let lastView = null;

  function update(q, view) {
    current = q;
    lastView = view;
    setAttr(root, "data-status", q.status);
    setAttr(root, "data-mine", view.mine ? "true" : null);
    setAttr(root, "data-pinned", view.pinned ? "true" : null);
    setText(text, q.text);
    setAttr(text, "lang", q.lang || null);
    const translated = textTranslation.update(q);
    const folded = Boolean(translated) && onlyMyLanguage() && !view.moderator;
    text.hidden = folded && !showOriginal;
    originalToggle.hidden = !folded;
    setText(originalToggle, t(showOriginal ? "q.hide_original" : "q.show_original"));
    setAttr(originalToggle, "aria-expanded", showOriginal ? "true" : "false");
    setText(votes, view.votes);
    setAttr(upvote, "aria-pressed", view.voted ? "true" : "false");
    upvote.disabled = !view.canVote;
    setText(upLabel, t("q.upvote_for", { text: gist(q.text) }));
    setAttr(upvote, "title", t("q.votes", { n: view.votes }));
    setText(author, authorText(q));
    setText(you, view.mine ? t("q.you") : "");
    you.hidden = !view.mine;
    setText(time, formatDual(q.ts));
    setAttr(time, "datetime", isoTime(q.ts) || null);
    setAttr(time, "title", formatDualLong(q.ts, getLang()) || null);
    setText(edited, q.edited ? t("q.edited") : "");
    edited.hidden = !q.edited;
    const showBadge = q.status !== "live";
    setText(badge, showBadge ? t(`status.${q.status}`) : "");
    badge.hidden = !showBadge;
    setAttr(badge, "data-badge", q.status);
    setText(pinBadge, view.pinned ? t("q.pinned") : "");
    pinBadge.hidden = !view.pinned;
    setText(note, view.note || "");
    note.hidden = !view.note;
    renderAnswer(q.answer);
    answerTranslation.update(q);
    const list = view.moderator ? moderatorActions(q.status, view.pinned) : [];
    if (view.mine && (q.status === "pending" || q.status === "live")) list.push("withdraw");
    renderActions(list);
    if (editor && !list.includes(editor.kind)) closeEditor();
  }

  function renderAnswer(answer) {
    let node = answerSlot.firstChild;
    if (!answer) {
      if (node) node.remove();
      return;
    }
    if (!node) {
      node = el("div", { className: "q-answer" });
      answerSlot.append(node);
    }
    // The label comes from CSS (::before, attr(data-label)), so .q-answer's text is exactly
    // the answer.
    setAttr(node, "data-label", t("q.answer"));
    setText(node, answer);
  }

  return { el: root, update, get editing() { return editor?.kind ?? null; } };
}
