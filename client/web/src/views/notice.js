// A polite live region for outcomes and errors ("Your question was sent", "Too many
// requests. Please wait 12 s."). One message at a time; errors stay until closed or replaced.

import { el, setText } from "../dom.js";

const INFO_MS = 6_000;

export function createNotice() {
  const text = el("span", { className: "notice-text" });
  const close = el("button", {
    className: "notice-close",
    text: "×",
    i18nLabel: "notice.close",
    props: { type: "button" },
    on: { click: () => hide() },
  });
  const root = el("div", { id: "notice", className: "notice", attrs: { role: "status", "aria-live": "polite" } }, text, close);
  root.hidden = true;
  let timer = null;

  function hide() {
    clearTimeout(timer);
    root.hidden = true;
    setText(text, "");
  }

  /** kind: "info" (fades after a few seconds) or "error" (stays until closed). */
  function show(message, kind = "info") {
    clearTimeout(timer);
    root.dataset.kind = kind;
    setText(text, message);
    root.hidden = false;
    if (kind === "info") timer = setTimeout(hide, INFO_MS);
  }

  return { el: root, show, hide };
}
