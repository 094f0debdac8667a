// Entry point: picks the page from the path (docs/protocol.md (Part 2) "HTTP additions") and starts it.

import { initLang, loadLangs, t } from "./i18n.js";
import { el } from "./dom.js";
import { keepShell } from "./offline-shell.js";
import { parseRoute } from "./route.js";
import { startLanding } from "./views/landing.js";
import { createLangSwitch } from "./views/lang-switch.js";
import { projectorLangs } from "./views/present-langs.js";

async function start() {
  await initLang();
  await loadLangs(projectorLangs()).catch(() => {}); // ?langs=ja,mn: both before the first render
  const root = document.getElementById("app") || document.body.appendChild(el("div", { id: "app" }));
  const route = parseRoute(location.pathname);
  // The room page (and each of its views) is a chunk of its own, fetched only when shown.
  if (route.page === "room") import("./room.js").then((m) => m.startRoom(root, route));
  else if (route.page === "landing") startLanding(root);
  // The admin page is handed the language switch: imported there, it would split the chunk
  // the room page shares with the landing page (one more request for every participant).
  else if (route.page === "admin") import("./views/admin.js").then((m) => m.startAdmin(root, { createLangSwitch }));
  else {
    root.replaceChildren(
      el("main", { className: "landing-main" }, el("p", { className: "banner", i18n: "room.not_found" }), el("a", { attrs: { href: "/" }, i18n: "room.back" })),
    );
    document.title = t("app.name");
  }
}

start();
keepShell();
