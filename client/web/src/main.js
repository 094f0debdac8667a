// Entry point: picks the page from the path (docs/protocol.md (Part 2) "HTTP additions") and starts it.

import { initLang, loadLangs, t } from "./i18n.js";
import { el } from "./dom.js";
import { keepShell } from "./offline-shell.js";
import { parseRoute } from "./route.js";
import { startLanding } from "./views/landing.js";
import { projectorLangs } from "./views/present-langs.js";

/* global ORGANISER_JS, HANDOUT_JS */
// The organiser page and the handout (issue 15) are a bundle of their own, named by build.mjs:
// a participant's files stay as they were, and never carry them.
const ORGANISE_PAGES = { organise: ORGANISER_JS, handout: HANDOUT_JS };
async function start() {
  await initLang();
  await loadLangs(projectorLangs()).catch(() => {}); // ?langs=ja,mn: both before the first render
  const root = document.getElementById("app") || document.body.appendChild(el("div", { id: "app" }));
  const route = parseRoute(location.pathname);
  // The room page (and each of its views) is a chunk of its own, fetched only when shown.
  if (route.page === "room") import("./room.js").then((m) => m.startRoom(root, route));
  else if (ORGANISE_PAGES[route.page]) import(`/static/${ORGANISE_PAGES[route.page]}`).then((m) => m.start(root, route));
  else if (route.page === "landing") startLanding(root);
  else {
    root.replaceChildren(
      el("main", { className: "landing-main" }, el("p", { className: "banner", i18n: "room.not_found" }), el("a", { attrs: { href: "/" }, i18n: "room.back" })),
    );
    document.title = t("app.name");
  }
}

start();
keepShell();
