// The projector's fullscreen button (Fullscreen API). Hidden while the page is fullscreen,
// and where the browser cannot go fullscreen at all; Esc leaves fullscreen as usual.

import { el } from "../dom.js";

export function createFullscreenButton() {
  const button = el("button", {
    id: "present-fullscreen",
    className: "present-fullscreen",
    i18n: "present.fullscreen",
    attrs: { type: "button" },
    on: {
      click: () => document.documentElement.requestFullscreen?.().catch(() => {}),
    },
  });
  const sync = () => {
    button.hidden = Boolean(document.fullscreenElement) || !document.fullscreenEnabled;
  };
  document.addEventListener("fullscreenchange", sync);
  sync();
  return button;
}
