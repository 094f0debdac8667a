// One translation on the interpreter's page: a textarea in the target language (its `lang`
// set, so the right voice and glyphs are used), a counter to 1,000 characters, what became
// of it (missing, written by whom, sending, refused) and Send. It is prefilled with the
// translation the room has, so a correction starts from it; what the interpreter is typing
// is never overwritten by someone else's update.
//
// Stable selectors (tests): .interp-editor[data-field][data-lang][data-state] with
// textarea.interp-text, .interp-counter, .interp-state and button[data-action="translate"].

import { charCount } from "../identity.js";
import { el, setAttr, setText } from "../dom.js";
import { errorText, langName, t } from "../i18n.js";
import { TRANSLATION_MAX } from "../interpreting.js";

// The start of the original, so each Send names what it sends ("Send: Монгол · 避難所の…").
// Not question-item.js's gist: importing that view would split the participant's shared
// chunks into more files, each a request on a phone's first load (issue 13's 80 KB).
const subjectOf = (text) => {
  const one = String(text || "").replace(/\s+/g, " ").trim();
  return one.length > 60 ? `${one.slice(0, 59)}…` : one;
};

/** onSend(text) returns the command's promise. update({saved, by, sending, subject}). */
export function createTranslationEditor({ qid, field, lang, onSend }) {
  const id = `interp-${qid}-${field}-${lang}`;
  const nameOf = () => langName(lang);
  const label = el("label", { className: "interp-label", attrs: { for: `${id}-text` } });
  const area = el("textarea", {
    id: `${id}-text`,
    className: "interp-text",
    attrs: { lang, rows: 3, "aria-describedby": `${id}-counter ${id}-state`, spellcheck: "true" },
  });
  const counter = el("span", { id: `${id}-counter`, className: "counter interp-counter" });
  const state = el("span", { id: `${id}-state`, className: "interp-state" });
  const send = el("button", {
    className: "primary interp-send",
    attrs: { type: "button", "data-action": "translate" },
    on: { click: () => submit() },
  });
  const root = el(
    "div",
    { className: "interp-editor", data: { field, lang } },
    label,
    area,
    el("div", { className: "interp-editor-row" }, counter, state, send),
  );

  let saved = ""; // the room's translation, as last shown
  let last = { saved: "", by: null, sending: false, subject: "" };
  let refused = null; // the error code of our last send, until the text changes
  let waiting = false; // sent from this page, its answer not here yet

  area.addEventListener("input", () => {
    refused = null;
    paint();
  });
  // Ctrl+Enter (or Cmd+Enter) sends, as a chat box would; Enter alone is a new line.
  area.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      submit();
    }
  });

  function value() {
    return area.value.trim();
  }

  function submit() {
    const text = value();
    const n = charCount(text);
    if (n < 1 || n > TRANSLATION_MAX || text === saved) return area.focus();
    refused = null;
    waiting = true;
    paint();
    onSend(text).then(
      () => {
        waiting = false;
        paint();
      },
      (error) => {
        waiting = false;
        if (error?.code && error.code !== "superseded") refused = error.code;
        paint();
      },
    );
  }

  /** saved: the room's translation ("" for none); by: "interpreter" | "moderator" | null;
   * sending: a translate of this field and language waits in the outbox. */
  function update(next) {
    // The textarea follows the room unless the interpreter has changed it.
    if (area.value === saved || area.value.trim() === next.saved) area.value = next.saved;
    saved = next.saved;
    last = next;
    paint();
  }

  function paint() {
    const n = charCount(value());
    const sending = waiting || last.sending;
    const edited = value() !== saved;
    setText(label, t("interp.into", { lang: nameOf() }));
    setText(counter, t("interp.counter", { n, max: TRANSLATION_MAX }));
    setAttr(counter, "data-over", n > TRANSLATION_MAX ? "true" : null);
    setAttr(area, "aria-invalid", n > TRANSLATION_MAX ? "true" : null);
    let stateKey;
    if (refused) stateKey = null;
    else if (sending) stateKey = "interp.state.sending";
    else if (saved && edited) stateKey = "interp.state.changed";
    else if (saved) stateKey = last.by === "moderator" ? "interp.state.by_moderator" : "interp.state.by_interpreter";
    else stateKey = "interp.state.missing";
    setText(state, refused ? t("interp.state.refused", { reason: errorText(refused) }) : t(stateKey));
    const kind = refused ? "refused" : sending ? "sending" : saved ? (edited ? "changed" : "done") : "missing";
    setAttr(root, "data-state", kind);
    const verb = t(saved ? "interp.update" : "interp.send");
    setText(send, verb);
    setAttr(send, "aria-label", `${verb}: ${nameOf()} · ${subjectOf(last.subject)}`);
    send.disabled = sending || n < 1 || n > TRANSLATION_MAX || !edited;
  }

  return { el: root, update, get dirty() { return area.value !== saved; } };
}
