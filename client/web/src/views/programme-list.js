// The landing page's programme (issue 14, "The programme"): the sessions of GET /api/rooms
// by day, each with its times in JST and ULAT side by side, "Now" and "Next" as words (not
// only a colour), and the rooms without a slot under "Other sessions". The marks follow the
// clock (a 30 s timer, and whenever the tab comes back); a language switch redraws it all.

import { el, setAttr, setText } from "../dom.js";
import { t } from "../i18n.js";
import { textIn } from "../lang-text.js";
import { dayLabel, groupByDay, nowAndNext, slotParts, zonesFor } from "../programme.js";
import { normaliseCode, roomPath } from "../route.js";

export const TICK_MS = 30_000;

function badge() {
  const node = el("span", { className: "badge programme-badge" });
  node.hidden = true;
  return node;
}

function times(room, lang, zones) {
  const parts = slotParts(room, lang, { zones });
  if (!parts.length) return null;
  return el(
    "span",
    { className: "room-item-times" },
    parts.map(({ tz, label, text }) =>
      el("span", { className: "slot-zone", data: { tz } }, el("span", { className: "slot-time", text }), " ", el("span", { className: "slot-label", text: label })),
    ),
  );
}

function sessionItem(room, lang, zones, { showEvent }) {
  const code = normaliseCode(room.code);
  if (!code) return null;
  const mark = badge();
  const link = el(
    "a",
    { className: "room-link", attrs: { href: roomPath(code) } },
    el("span", { className: "room-item-top" }, el("span", { className: "room-item-title", text: textIn(room.title) || code }), mark),
    times(room, lang, zones),
    el("span", { className: "room-item-code", text: code }),
    showEvent && room.event?.title ? el("span", { className: "room-item-event", text: textIn(room.event.title) }) : null,
  );
  const item = el("li", { className: "room-item", data: { code } }, link);
  return { item, link, mark, room };
}

/** The programme inside `container` (#room-list); `clock()` gives the time in ms. */
export function createProgramme(container, { clock = () => Date.now() } = {}) {
  let rooms = [];
  let items = [];
  let timer = null;

  function draw(lang) {
    const zones = zonesFor(rooms.find((r) => r.event?.timezones?.length)?.event.timezones);
    const events = new Set(rooms.map((r) => r.event?.id));
    const single = events.size === 1 && rooms[0]?.event?.title ? rooms[0].event : null;
    const days = groupByDay(rooms, zones[0].tz);
    const timed = days.some((d) => d.key);
    items = [];
    const sections = days.map((day) => {
      const made = day.sessions.map((room) => sessionItem(room, lang, zones, { showEvent: !single })).filter(Boolean);
      items.push(...made);
      const list = el("ul", { className: "room-list" }, made.map((m) => m.item));
      // Only rooms without slots (a first-round event file): the plain list, no heading.
      if (!timed) return list;
      const heading = el("h3", { className: "programme-day-title", text: day.key ? dayLabel(day.date, zones[0].tz, lang) : t("programme.other") });
      return el("section", { className: "programme-day", data: { day: day.key ?? "other" } }, heading, list);
    });
    container.replaceChildren(
      single ? el("p", { className: "programme-event", text: textIn(single.title) }) : null,
      timed ? el("p", { className: "hint programme-zones", text: t("programme.zones_note") }) : null,
      ...sections,
    );
    container.classList.toggle("programme", timed);
    tick();
    return timed;
  }

  /** Puts "Now" and "Next" where the clock says, without redrawing (focus stays put). */
  function tick() {
    const { now, next } = nowAndNext(rooms, clock());
    for (const { item, link, mark, room } of items) {
      const state = now.has(room.code) ? "now" : next.has(room.code) ? "next" : "";
      setAttr(item, "data-mark", state || null);
      setAttr(link, "aria-current", state === "now" ? "time" : null);
      setText(mark, state ? t(`programme.${state}`) : "");
      mark.hidden = !state;
    }
  }

  return {
    /** Shows `rooms` (from /api/rooms) in `lang`; true when some have a slot. */
    show(list, lang) {
      rooms = Array.isArray(list) ? list : [];
      const timed = draw(lang);
      if (!timer) {
        timer = setInterval(tick, TICK_MS);
        document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && tick());
      }
      return timed;
    },
    redraw: (lang) => draw(lang),
    get size() {
      return items.length;
    },
  };
}
