// Entry point: picks the page from the path (docs/protocol.md (Part 2) "HTTP additions") and starts it.

import { initLang, loadLangs, t } from "./i18n.js";
import { el } from "./dom.js";
import { keepShell } from "./offline-shell.js";
import { parseRoute, projectorLangs } from "./route.js";

/* global ORGANISER_JS, HANDOUT_JS */
// The organiser page and the handout (issue 15) are a bundle of their own, named by build.mjs:
// a participant's files stay as they were, and never carry them.
const ORGANISE_PAGES = { organise: ORGANISER_JS, handout: HANDOUT_JS };

async function start() {
  await initLang();
  await loadLangs(projectorLangs()).catch(() => {}); // ?langs=ja,mn: both before the first render
  const root = document.getElementById("app") || document.body.appendChild(el("div", { id: "app" }));
  const route = parseRoute(location.pathname);
  // The room page (and each of its views) and the landing page with its programme are
  // chunks of their own, fetched only when shown: a participant never downloads the
  // programme list (the landing page preloads its chunk, build.mjs).
  if (route.page === "room") import("./room.js").then((m) => m.startRoom(root, route));
  else if (ORGANISE_PAGES[route.page]) import(`/static/${ORGANISE_PAGES[route.page]}`).then((m) => m.start(root, route));
  else if (route.page === "landing") import("./views/landing.js").then((m) => m.startLanding(root));
  // The admin page is handed the language switch, fetched beside it: imported by admin.js,
  // it would split a chunk the room page shares (one more request for every participant).
  else if (route.page === "admin")
    Promise.all([import("./views/admin.js"), import("./views/lang-switch.js")]).then(([m, ls]) =>
      m.startAdmin(root, { createLangSwitch: ls.createLangSwitch }),
    );
  else {
    root.replaceChildren(
      el("main", { className: "landing-main" }, el("p", { className: "banner", i18n: "room.not_found" }), el("a", { attrs: { href: "/" }, i18n: "room.back" })),
    );
    document.title = t("app.name");
  }
}

start();
keepShell();
