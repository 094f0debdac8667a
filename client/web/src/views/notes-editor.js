// The shared notes editor: a plain <textarea id="notes-text"> bound to the room's Y.Text
// (src/notes.js), with who is editing, a saved / saving / not synced state, the lock and
// the size limit.
//
// The binding, in UTF-16 units like Yjs:
// - input (not while composing): the textarea's value is diffed against the Y.Text and
//   the one delete + insert is applied in a transaction whose origin is this editor, so
//   the Y.Text observer skips its own changes.
// - a remote change arrives as a Y.Text delta: the textarea gets the new text and the
//   caret / selection is carried through the delta (text.diff.js), scroll kept.
// - IME composition (Japanese, Mongolian...): from compositionstart to compositionend,
//   remote updates are held back (not applied to the document at all), so nothing moves
//   the text under the composition (Etherpad #690, fixed in PR #999). At compositionend
//   the composed text is applied first, then the held updates, in order.

import { el, setAttr, setText } from "../dom.js";
import { errorText, t } from "../i18n.js";
import { TEXT_LIMIT } from "../notes.js";
import { chunks, diffText, transformSelection, utf8Length } from "../text-diff.js";

const LOCAL = "notes-editor"; // transaction origin of this editor's own edits
const CHUNK = 8 * 1024; // UTF-16 units per transaction: one update stays under 32 KiB

/** ctx: {notes: NotesSync, store, notice}. Returns {el, render}. */
export function createNotesEditor({ notes, store }) {
  const state = el("p", { id: "notes-state", className: "notes-state", attrs: { role: "status" } });
  const editors = el("p", { id: "notes-editors", className: "notes-editors", attrs: { "aria-live": "polite" } });
  const locked = el("p", { id: "notes-locked", className: "banner notes-locked" });
  const error = el("p", { id: "notes-error", className: "notes-error", attrs: { role: "alert" } });
  const textarea = el("textarea", {
    id: "notes-text",
    className: "notes-text",
    i18nLabel: "notes.label",
    i18nPlaceholder: "notes.placeholder",
    attrs: { rows: "12", spellcheck: "true" },
  });
  const root = el(
    "section",
    { id: "notes", className: "card notes", attrs: { "aria-labelledby": "title-notes" } },
    el("div", { className: "notes-head" }, el("h2", { id: "title-notes", i18n: "notes.heading" }), state),
    editors,
    locked,
    error,
    textarea,
  );
  locked.hidden = error.hidden = true;

  let composing = false;
  let localError = null; // a change refused here, before sending (the text limit)
  let unobserve = () => {};

  function bind() {
    unobserve();
    const ytext = notes.text;
    const observer = (event, transaction) => {
      if (transaction.origin === LOCAL) return;
      showRemote(event.delta);
    };
    ytext.observe(observer);
    unobserve = () => ytext.unobserve(observer);
    textarea.value = ytext.toString();
  }

  /** The textarea's value into the Y.Text, as one minimal change. */
  function pushLocal() {
    if (composing) return;
    const ytext = notes.text;
    const before = ytext.toString();
    const after = textarea.value;
    if (before === after) return;
    if (utf8Length(after) > TEXT_LIMIT && utf8Length(after) > utf8Length(before)) {
      // The server would refuse it: say so, and give the text back as it was.
      localError = "too_large";
      const sel = { start: textarea.selectionStart, end: textarea.selectionEnd };
      textarea.value = before;
      textarea.setSelectionRange(Math.min(sel.start, before.length), Math.min(sel.end, before.length));
      render();
      return;
    }
    localError = null;
    const { index, remove, insert } = diffText(before, after, textarea.selectionEnd);
    notes.doc.transact(() => {
      if (remove) ytext.delete(index, remove);
    }, LOCAL);
    let at = index;
    for (const piece of chunks(insert, CHUNK)) {
      notes.doc.transact(() => ytext.insert(at, piece), LOCAL); // one update per piece
      at += piece.length;
    }
  }

  /** A remote change: new text, the caret carried through the delta. */
  function showRemote(delta) {
    const focused = document.activeElement === textarea;
    const selection = { start: textarea.selectionStart, end: textarea.selectionEnd };
    const direction = textarea.selectionDirection;
    const scroll = textarea.scrollTop;
    textarea.value = notes.text.toString();
    if (focused) {
      const moved = transformSelection(selection, delta);
      textarea.setSelectionRange(moved.start, moved.end, direction);
    }
    textarea.scrollTop = scroll;
  }

  textarea.addEventListener("input", (e) => {
    if (composing || e.isComposing) return;
    pushLocal();
  });
  textarea.addEventListener("compositionstart", () => {
    composing = true;
    notes.hold();
  });
  const endComposition = () => {
    if (!composing) return;
    composing = false;
    pushLocal(); // the composed text first...
    notes.release(); // ...then what others wrote meanwhile
  };
  textarea.addEventListener("compositionend", endComposition);
  textarea.addEventListener("blur", endComposition);

  notes.beforeRemote = pushLocal;
  notes.on((change) => {
    if (change.kind === "doc") bind();
    render();
  });
  bind();

  function editorsText() {
    const names = notes.activeEditors().map((e) => (e.org ? `${e.name} (${e.org})` : e.name));
    if (!names.length) return "";
    return t(names.length === 1 ? "notes.editing_one" : "notes.editing_many", { names: names.join(", ") });
  }

  function render() {
    const { state: syncState, waiting } = notes.status();
    setAttr(state, "data-state", syncState);
    setAttr(state, "data-waiting", String(waiting));
    let label = t(`notes.${syncState}`);
    if (syncState === "offline" && waiting) label = t("notes.not_synced", { n: waiting });
    setText(state, label);

    setText(editors, editorsText());
    editors.hidden = !editors.textContent;

    const isModerator = store.hasRole("moderator");
    const closed = store.roomState !== "open";
    const isLocked = Boolean(store.settings.notes_locked);
    const readOnly = closed || (isLocked && !isModerator);
    let lockText = "";
    if (closed) lockText = t("notes.closed");
    else if (isLocked) lockText = t(isModerator ? "notes.locked_mod" : "notes.locked");
    setText(locked, lockText);
    locked.hidden = !lockText;
    setAttr(root, "data-locked", isLocked ? "true" : null);
    if (textarea.readOnly !== readOnly) textarea.readOnly = readOnly;
    setAttr(textarea, "aria-readonly", readOnly ? "true" : null);

    const code = localError ?? notes.error?.code ?? null;
    let message = "";
    if (code === "too_large") message = t("notes.too_large", { kb: TEXT_LIMIT / 1024 });
    else if (code) message = t("notes.refused", { reason: errorText(code) });
    setText(error, message);
    error.hidden = !message;
    setAttr(error, "data-code", code);
  }

  return { el: root, render };
}
