// The room header shared by every room view: title, code, the session's slot in JST and
// ULAT (issue 14), presence, connection state and the language switch. The slot's date
// and time formatting (room-slot.js with programme.js) is fetched only for a room that
// has a slot: a room without one does without it on its first load.

import { el, setAttr, setText } from "../dom.js";
import { t } from "../i18n.js";
import { createLangSwitch } from "./lang-switch.js";

let slotModule = null; // room-slot.js, once fetched
let slotLoad = null;
/** room-slot.js, fetched once (again after a failure); resolves to null when it cannot be. */
function loadSlotModule() {
  slotLoad ??= import("./room-slot.js").then(
    (m) => (slotModule = m),
    () => {
      slotLoad = null;
      return null;
    },
  );
  return slotLoad;
}

/** onEditProfile: optional; shows a "Change name" button when given. */
export function createHeader({ code, onEditProfile = null }) {
  const title = el("h1", { id: "room-title", className: "room-title", text: code });
  const codeBadge = el("span", { id: "room-code", className: "room-code" });
  // "10 Dec 10:00–11:30 JST · 09:00–10:30 ULAT", named for screen readers by the hidden label
  const slotLabel = el("span", { className: "sr-only" });
  const slotText = el("span", { className: "room-slot-time" });
  const slot = el("p", { id: "room-slot", className: "room-slot" }, slotLabel, slotText);
  slot.hidden = true;
  const presence = el("span", { id: "presence-count", className: "presence", attrs: { "aria-live": "off" } });
  const conn = el("span", {
    id: "conn-state",
    className: "conn-state",
    attrs: { "data-state": "connecting", role: "status", "aria-live": "polite" },
  });
  const edit = onEditProfile
    ? el("button", {
        id: "edit-profile",
        className: "link-button",
        i18n: "join.edit",
        props: { type: "button" },
        on: { click: onEditProfile },
      })
    : null;
  const root = el(
    "header",
    { className: "room-header" },
    el("div", { className: "room-heading" }, title, codeBadge, slot),
    el("div", { className: "room-status" }, presence, conn, edit, createLangSwitch()),
  );

  /** store: RoomStore; sync: {state: live|reconnecting|offline, pending: number}. */
  function update(store, sync) {
    const roomTitle = store.room?.title || code;
    setText(title, roomTitle);
    setText(codeBadge, t("header.code", { code }));
    showSlot(store.room);
    const count = store.presence.count;
    setText(presence, count == null ? "" : t("header.presence", { n: count }));
    presence.hidden = count == null;
    setAttr(conn, "data-state", sync.state);
    setAttr(conn, "data-pending", String(sync.pending));
    const label = t(`conn.${sync.state}`);
    setText(conn, sync.pending > 0 ? `${label} · ${t("conn.not_synced", { n: sync.pending })}` : label);
  }

  let latest = null; // the room last shown, drawn again once room-slot.js has arrived
  let waiting = false;
  let shown = { key: null };
  function showSlot(room) {
    latest = room;
    if (room?.starts && !slotModule) {
      if (!waiting) {
        waiting = true;
        loadSlotModule().then((m) => {
          waiting = false;
          if (m) showSlot(latest);
        });
      }
      return; // the slot stays as it is (hidden, at first) until then
    }
    if (slotModule) shown = slotModule.showSlot({ slot, slotLabel, slotText }, room, shown);
    else slot.hidden = true; // never had a slot: nothing to clear
  }

  /** The "Change name" button makes no sense while the join form is already showing. */
  function showEdit(visible) {
    if (edit) edit.hidden = !visible;
  }

  return { el: root, update, showEdit };
}
