// The console's keyboard shortcuts and their help dialog (issue 13). The keys come from
// src/shortcuts.js; each one also has a button (the question's own actions, "Next
// question", "Mark answered", the ↑ ↓ buttons and "Keyboard shortcuts").

import { el } from "../dom.js";
import { t } from "../i18n.js";
import { SHORTCUTS, shortcutFor } from "../shortcuts.js";

/** The <dialog> listing every shortcut, in the page's language. */
export function createHelpDialog() {
  const rows = SHORTCUTS.map(({ action, keys }) => {
    const keyCell = el("td", { className: "help-keys" });
    keys.forEach((key, i) => {
      if (i) keyCell.append(el("span", { className: "help-or", i18n: "mod.key_or" }));
      keyCell.append(el("kbd", { text: key }));
    });
    return el("tr", { data: { shortcut: action } }, keyCell, el("td", { i18n: `mod.key.${action}` }));
  });
  const close = el("button", { className: "dialog-close", i18n: "mod.close", attrs: { type: "button", "data-action": "close-help" } });
  const dialog = el(
    "dialog",
    { id: "shortcut-help", className: "console-dialog", attrs: { "aria-labelledby": "title-shortcut-help" } },
    el("div", { className: "dialog-head" }, el("h2", { id: "title-shortcut-help", i18n: "mod.help_title" }), close),
    el("p", { className: "hint", i18n: "mod.help_intro" }),
    el(
      "table",
      { className: "help-table" },
      el("thead", {}, el("tr", {}, el("th", { i18n: "mod.help_key", attrs: { scope: "col" } }), el("th", { i18n: "mod.help_action", attrs: { scope: "col" } }))),
      el("tbody", {}, ...rows),
    ),
  );
  close.addEventListener("click", () => dialog.close());
  return dialog;
}

/**
 * Listens on the document for the shortcuts. actions: {down, up, approve, dismiss, pin,
 * next, answered, help}: functions; a key whose action is missing does nothing.
 * Returns a function that stops listening.
 */
export function listenForShortcuts(actions) {
  function onKey(e) {
    if (e.defaultPrevented) return;
    // An open dialog (settings, this help) has the keyboard to itself.
    if (document.querySelector("dialog[open]")) return;
    const action = shortcutFor(e);
    if (!action || !actions[action]) return;
    // Arrow keys on a tab, a select or a button group keep their own meaning.
    if ((e.key === "ArrowDown" || e.key === "ArrowUp") && e.target?.closest?.("[role=tablist], select")) return;
    e.preventDefault();
    actions[action]();
  }
  document.addEventListener("keydown", onKey);
  return () => document.removeEventListener("keydown", onKey);
}
