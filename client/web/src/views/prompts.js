// The session's guiding questions (issue 14): what the organisers ask the room to think
// about, from the event file's `prompts`, each in the reader's language (a language map
// falls back in the event's order). Organiser text, not questions of the room: no votes.
// Folded with <details> so that a phone keeps the ask box in view; open by default.

import { el, setAttr } from "../dom.js";
import { textIn } from "../lang-text.js";
import { getLang } from "../i18n.js";

/** The shown text and its language for one prompt (a string: the page's language). */
export function promptText(prompt, lang = getLang()) {
  const text = textIn(prompt, lang);
  if (!prompt || typeof prompt !== "object") return { text, lang: null };
  const found = Object.keys(prompt).find((key) => prompt[key] === text);
  return { text, lang: found ?? null };
}

/** Returns {el, update(store)}: hidden when the room has no guiding questions. */
export function createPrompts() {
  const list = el("ol", { className: "prompt-list" });
  const details = el(
    "details",
    { id: "prompts", className: "card prompts", props: { open: true } },
    el("summary", { className: "prompts-title", i18n: "prompts.title" }),
    list,
  );
  let shown = "";

  function update(store) {
    const prompts = Array.isArray(store.room?.prompts) ? store.room.prompts : [];
    details.hidden = prompts.length === 0;
    const items = prompts.map((p) => promptText(p));
    const key = JSON.stringify(items);
    if (key === shown) return; // the same texts: keep the DOM (and a reader's selection)
    shown = key;
    list.replaceChildren(
      ...items.map(({ text, lang }) => {
        const item = el("li", { className: "prompt", text });
        setAttr(item, "lang", lang);
        return item;
      }),
    );
  }

  return { el: details, update };
}
