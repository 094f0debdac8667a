// The room header shared by every room view: title, code, the session's slot in JST and
// ULAT (issue 14), presence, connection state and the language switch.

import { el, setAttr, setText } from "../dom.js";
import { getLang, t } from "../i18n.js";
import { slotParts, zonesFor } from "../programme.js";
import { createLangSwitch } from "./lang-switch.js";

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

  // Each zone's time keeps together (nowrap): on a phone ULAT goes under JST, whole.
  let shown = null;
  function showSlot(room) {
    const parts = room ? slotParts(room, getLang(), { zones: zonesFor(room.event?.timezones), withDate: true }) : [];
    const when = parts.map(({ text, label }) => `${text} ${label}`);
    const key = when.join(" · ");
    setText(slotLabel, key ? `${t("programme.slot_label")} ` : "");
    slot.hidden = !key;
    if (key === shown) return;
    shown = key;
    slotText.replaceChildren(...when.flatMap((text, i) => [i ? " · " : "", el("span", { className: "slot-zone", text })]).filter(Boolean));
  }

  /** The "Change name" button makes no sense while the join form is already showing. */
  function showEdit(visible) {
    if (edit) edit.hidden = !visible;
  }

  return { el: root, update, showEdit };
}
