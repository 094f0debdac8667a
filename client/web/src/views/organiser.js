// The organiser page, /e/EVENT/organise#key=... (issue 15, "Organiser role and page"): the
// event's rooms as a programme (views/organise-room.js), a new room, and the staff links
// (views/organise-staff.js), all through the organiser API (organise-api.js) with the key
// from the link's fragment. Every action says how it went in one polite live region, in
// the reader's language; the page reloads the lists every 10 s (who is connected now).
//
// Stable selectors (tests): #org-event-title, #org-status (data-kind ok|error), #org-fatal,
// #org-rooms, #org-new-room (the form) with #org-new-title-<lang>, #org-new-code.

import { el, reorder, setAttr, setText } from "../dom.js";
import { LANGS, onLangChange, t } from "../i18n.js";
import { setFallbackOrder, textIn } from "../lang-text.js";
import { isFatal, OrganiseApi } from "../organise-api.js";
import { forgetOrganiserKey, takeOrganiserKey } from "../organise-key.js";
import { moveCode, newRoomBody } from "../programme-edit.js";
import { createLangSwitch } from "./lang-switch.js";
import { createSlotFields, createTitleFields } from "./organise-fields.js";
import { createRoomCard } from "./organise-room.js";
import { createStaffSection } from "./organise-staff.js";
import { loadOrganiseCatalogues, loadOrganiseStyles } from "./organise-assets.js";

const REFRESH_MS = 10_000;

const OK_MS = 8_000; // a success clears itself; an error stays until the next action

function createStatus() {
  const node = el("p", { id: "org-status", className: "org-status", attrs: { role: "status", "aria-live": "polite" } });
  let timer = null;
  return {
    el: node,
    show(text, kind = "ok") {
      clearTimeout(timer);
      if (kind === "ok") timer = setTimeout(() => setText(node, ""), OK_MS);
      setAttr(node, "data-kind", kind);
      // The same words twice (two copies in a row) are still news to a screen reader.
      if (node.textContent === text) setText(node, "");
      setText(node, text);
    },
  };
}

function createNewRoomForm(langs, onCreate) {
  const titles = createTitleFields("org-new", langs);
  const slot = createSlotFields("org-new");
  const code = el("input", { id: "org-new-code", attrs: { type: "text", autocapitalize: "characters", autocomplete: "off", spellcheck: "false", maxlength: 32 }, i18nPlaceholder: "organise.code_placeholder" });
  const error = el("p", { className: "form-error", attrs: { role: "alert" } });
  error.hidden = true;
  const submit = el("button", { className: "primary", i18n: "organise.create", attrs: { type: "submit" } });
  const form = el(
    "form",
    { id: "org-new-room", className: "org-new-room", attrs: { novalidate: true } },
    titles.el,
    el("div", { className: "org-field" }, el("label", { attrs: { for: "org-new-code" }, i18n: "organise.code_label" }), code, el("p", { className: "hint", i18n: "organise.code_hint" })),
    slot.el,
    error,
    el("div", { className: "button-row" }, submit),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const result = newRoomBody({ title: titles.read(), code: code.value, ...slot.read() }, slot.zone());
    if (result.error) {
      setText(error, t(result.error));
      error.hidden = false;
      return;
    }
    error.hidden = true;
    submit.disabled = true;
    const ok = await onCreate(result.body);
    submit.disabled = false;
    if (!ok) return;
    titles.write({});
    code.value = "";
    slot.clear();
  });
  return el(
    "details",
    { className: "card org-new-details" },
    el("summary", {}, el("h2", { id: "org-new-heading", className: "org-summary-heading", i18n: "organise.new_room" })),
    form,
  );
}

/** The organiser page for event `eventId` inside `root`. */
export async function startOrganiser(root, { eventId }) {
  document.body.classList.add("view-organiser");
  await Promise.all([loadOrganiseCatalogues(), loadOrganiseStyles()]);
  const key = takeOrganiserKey(eventId);
  const api = new OrganiseApi(eventId, key);
  const status = createStatus();
  const title = el("h1", { id: "org-event-title", className: "room-title", i18n: "organise.heading" });
  const fatal = el("p", { id: "org-fatal", className: "banner", attrs: { role: "alert", "data-kind": "error" } });
  fatal.hidden = true;
  const forget = el("button", { className: "forget-key", i18n: "room.forget_key", attrs: { type: "button" } });
  forget.addEventListener("click", () => {
    forgetOrganiserKey(eventId);
    location.assign("/");
  });
  const main = el("main", { id: "main", className: "org-main" });
  root.replaceChildren(
    el("header", { className: "room-header" }, el("div", { className: "room-heading" }, title, el("span", { className: "room-code", i18n: "organise.page" })), el("div", { className: "room-status" }, createLangSwitch())),
    fatal,
    main,
    status.el,
    el("footer", { className: "key-bar" }, forget),
  );

  let data = null;
  let timer = null;
  let built = null; // {langs, cards: Map, list, staff}

  function stop(reason) {
    clearInterval(timer);
    if (reason.status === 401) forgetOrganiserKey(eventId);
    fatal.dataset.i18n = key ? (reason.status === 403 ? "organise.err.forbidden" : "organise.err.unauthorized") : "organise.no_key";
    setText(fatal, t(fatal.dataset.i18n));
    fatal.hidden = false;
    main.hidden = true;
  }

  /** A failed call: said in the status line, and the page ends when the key is refused.
   * Returns false, what an action answers when it did not happen. */
  function failed(reply) {
    if (isFatal(reply.status)) stop(reply);
    else status.show(t(reply.errorKey), "error");
    return false;
  }

  const say = (keyName, params) => status.show(t(keyName, params));

  function replaceRoom(room) {
    const i = data.rooms.findIndex((r) => r.code === room.code);
    if (i >= 0) data.rooms[i] = room;
    else data.rooms.push(room);
  }

  const actions = {
    say,
    async patch(code, body, doneKey) {
      const reply = await api.patchRoom(code, body);
      if (reply.ok && reply.body?.room) replaceRoom(reply.body.room);
      render(); // a refused checkbox goes back to what the room has
      if (!reply.ok) return failed(reply);
      say(doneKey, { title: textIn(reply.body.room.title) || code });
      return true;
    },
    async move(code, delta) {
      const order = moveCode(data.rooms.map((r) => r.code), code, delta);
      if (!order) return;
      const reply = await api.reorder(order);
      if (!reply.ok) return failed(reply);
      if (Array.isArray(reply.body?.rooms)) data.rooms = reply.body.rooms;
      render();
      // The moved card keeps the focus: on the same button, or the other one at the end of the list.
      const moves = built.cards.get(code)?.el.querySelector(".org-move-group");
      (moves?.querySelector(`[data-action="move-${delta < 0 ? "up" : "down"}"]:not(:disabled)`) ?? moves?.querySelector("button:not(:disabled)"))?.focus();
      say("organise.done.moved", { title: textIn(data.rooms.find((r) => r.code === code)?.title) || code });
    },
    async copy(input) {
      try {
        await navigator.clipboard.writeText(input.value);
      } catch {
        input.select(); // the link is selected: Ctrl+C copies it
        if (!document.execCommand?.("copy")) return status.show(t("organise.copy_failed"), "error");
      }
      say("organise.done.copied");
    },
    async invite(body) {
      const reply = await api.invite(body);
      if (!reply.ok) return failed(reply);
      await refresh();
      say("organise.done.invited", { role: t(`organise.role.${reply.body.role}`) });
      return reply.body;
    },
    async revoke(kid) {
      const reply = await api.revoke(kid);
      if (!reply.ok) return failed(reply);
      await refresh();
      say("organise.done.revoked", { label: reply.body?.link?.label || kid });
      return true;
    },
  };

  async function create(body) {
    const reply = await api.createRoom(body);
    if (!reply.ok) return failed(reply);
    replaceRoom(reply.body.room);
    render();
    say("organise.done.created", { title: textIn(reply.body.room.title), code: reply.body.room.code });
    return true;
  }

  function build(langs) {
    const list = el("ol", { id: "org-rooms", className: "org-rooms", attrs: { "aria-labelledby": "org-programme-heading" } });
    const staff = createStaffSection(actions);
    main.replaceChildren(
      el("section", { className: "org-programme", attrs: { "aria-labelledby": "org-programme-heading" } },
        el("h2", { id: "org-programme-heading", i18n: "organise.programme" }),
        el("p", { className: "hint", i18n: "organise.programme_intro" }),
        el("p", { className: "hint org-empty", i18n: "organise.no_rooms" }),
        list),
      createNewRoomForm(langs, create),
      staff.el,
    );
    return { langs, cards: new Map(), list, staff };
  }

  function render() {
    if (!data) return;
    const langs = (data.event.languages || []).filter((l) => LANGS.includes(l));
    setFallbackOrder(langs);
    if (!built) built = build(langs.length ? langs : LANGS);
    const name = textIn(data.event.title);
    setText(title, name || t("organise.heading"));
    delete title.dataset.i18n;
    document.title = `${name} · ${t("organise.page")}`;
    const rooms = data.rooms;
    const nodes = rooms.map((room, index) => {
      if (!built.cards.has(room.code)) built.cards.set(room.code, createRoomCard(room.code, built.langs, actions));
      const card = built.cards.get(room.code);
      card.update(room, { index, count: rooms.length, origin: location.origin });
      return card.el;
    });
    reorder(built.list, nodes); // keyed: a card moves only when the order changed (a moved node loses focus)
    main.querySelector(".org-empty").hidden = rooms.length > 0;
    built.staff.update(data.staff || [], rooms);
  }

  async function refresh() {
    const reply = await api.load();
    if (!reply.ok) return failed(reply);
    data = reply.body;
    render();
  }

  onLangChange(render);
  if (!key) return stop({ status: 401 });
  await refresh();
  if (!fatal.hidden) return;
  timer = setInterval(() => document.visibilityState === "visible" && refresh(), REFRESH_MS);
}

export { startOrganiser as start }; // main.js starts either page by this name
