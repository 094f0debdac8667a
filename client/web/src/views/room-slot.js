// The room header's slot (issue 14): "10 Dec 10:00–11:30 JST · 09:00–10:30 ULAT", in the
// zones of the room's event. A chunk of its own with programme.js, which header.js fetches
// only for a room that has a slot (`starts`).

import { el, setText } from "../dom.js";
import { getLang, t } from "../i18n.js";
import { slotParts, zonesFor } from "../programme.js";

/**
 * Draws `room`'s slot into the header's nodes ({slot, slotLabel, slotText}); hidden when the
 * room has none. `shown`: what the last call returned; returns what to pass next time.
 * Each zone's time keeps together (nowrap): on a phone ULAT goes under JST, whole.
 */
export function showSlot({ slot, slotLabel, slotText }, room, shown = { key: null }) {
  const parts = room ? slotParts(room, getLang(), { zones: zonesFor(room.event?.timezones), withDate: true }) : [];
  const when = parts.map(({ text, label }) => `${text} ${label}`);
  const key = when.join(" · ");
  setText(slotLabel, key ? `${t("programme.slot_label")} ` : "");
  slot.hidden = !key;
  if (key === shown.key) return shown;
  slotText.replaceChildren(...when.flatMap((text, i) => [i ? " · " : "", el("span", { className: "slot-zone", text })]).filter(Boolean));
  return { key };
}
