// The landing page: join by code, and the programme of sessions from GET /api/rooms
// (issue 14: by day, JST and ULAT side by side, Now and Next; views/programme-list.js).

import { el, setText } from "../dom.js";
import { getLang, onLangChange, t } from "../i18n.js";
import { normaliseCode, roomPath } from "../route.js";
import { createLangSwitch } from "./lang-switch.js";
import { createProgramme } from "./programme-list.js";

/** The landing page; `missing`: a room code that does not exist, to say so above the form. */
export function startLanding(root, { missing = null } = {}) {
  document.body.classList.add("view-landing");
  const input = el("input", {
    id: "code-input",
    i18nPlaceholder: "landing.code_placeholder",
    attrs: { type: "text", autocapitalize: "characters", autocomplete: "off", spellcheck: "false", maxlength: 32, required: true },
  });
  const error = el("p", { id: "code-error", className: "form-error", attrs: { role: "alert" } });
  error.hidden = true;
  if (missing) {
    input.value = missing;
    const say = () => setText(error, t("room.no_such_room", { code: missing }));
    say();
    onLangChange(() => error.dataset.i18n || say());
    error.hidden = false;
  }
  const form = el(
    "form",
    { id: "code-form", className: "card code-form", attrs: { novalidate: true } },
    el("label", { attrs: { for: "code-input" }, i18n: "landing.code_label" }),
    el("div", { className: "inline-row" }, input, el("button", { id: "code-submit", className: "primary", i18n: "landing.join", props: { type: "submit" } })),
    error,
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const code = normaliseCode(input.value);
    if (!code) {
      error.dataset.i18n = "landing.bad_code";
      error.textContent = t("landing.bad_code");
      error.hidden = false;
      input.focus();
      return;
    }
    location.assign(roomPath(code));
  });

  const status = el("p", { id: "room-list-status", className: "hint", i18n: "landing.loading", attrs: { role: "status" } });
  const list = el("div", { id: "room-list" });
  const title = el("h2", { id: "title-rooms", i18n: "landing.rooms" });
  const programme = createProgramme(list);
  root.replaceChildren(
    el(
      "header",
      { className: "room-header landing-header" },
      el("div", { className: "room-heading" }, el("h1", { i18n: "landing.heading" })),
      el("div", { className: "room-status" }, createLangSwitch()),
    ),
    el(
      "main",
      { className: "landing-main" },
      el("p", { className: "intro", i18n: "landing.intro" }),
      form,
      el("section", { className: "card rooms", attrs: { "aria-labelledby": "title-rooms" } }, title, status, list),
    ),
  );
  document.title = t("app.name");

  fetch("/api/rooms", { headers: { accept: "application/json" } })
    .then((r) => (r.ok ? r.json() : Promise.reject(new Error(String(r.status)))))
    .then((body) => {
      const rooms = Array.isArray(body?.rooms) ? body.rooms : [];
      // With slots the list is a programme, and its heading says so.
      title.dataset.i18n = programme.show(rooms, getLang()) ? "programme.heading" : "landing.rooms";
      setText(title, t(title.dataset.i18n));
      onLangChange((lang) => programme.redraw(lang)); // titles may be language maps, dates move
      status.dataset.i18n = "landing.no_rooms";
      setText(status, t("landing.no_rooms"));
      status.hidden = programme.size > 0;
    })
    .catch(() => {
      status.dataset.i18n = "landing.load_failed";
      setText(status, t("landing.load_failed"));
    });
}
