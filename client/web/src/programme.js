// The programme (issue 14, "The programme"): the sessions of an event by day, in order, the
// one on now and the next one, and each slot in Japan and Ulaanbaatar time side by side
// ("10 Dec 10:00–11:30 JST · 09:00–10:30 ULAT"). Pure: no DOM, the clock is a parameter.
//
// A room's `starts`/`ends` are ISO 8601 strings with their offset (GET /api/rooms and the
// join reply, docs/protocol.md); either may be null. Days are the days of the first zone
// (the event file's first `timezones` entry, Japan time for the demo), so a session at
// 00:30 JST on 11 December belongs to the 11th even though it is 23:30 on the 10th in
// Ulaanbaatar; its ULAT time then names its own day.
//
// Dates come from Intl.DateTimeFormat in the reader's language where the runtime has that
// language's data. Chromium ships no Mongolian data (Intl falls back to English there), so
// a language Intl does not know is written from its catalogue's templates instead
// (`programme.date`, `programme.day`, `programme.weekdays`: "12-р сарын 10, Пүрэв гараг").

import { t } from "./i18n.js";
import { clockIn, ZONES } from "./time.js";

// English dates in day-month order ("Thursday 10 December"), as the UN bodies that run the
// workshop write them; "en" alone would be the US order.
const INTL_LOCALE = { en: "en-GB" };

const formats = new Map();
function dateFormat(lang, tz, options) {
  const key = `${lang}|${tz}|${JSON.stringify(options)}`;
  if (!formats.has(key)) {
    formats.set(key, new Intl.DateTimeFormat(INTL_LOCALE[lang] ?? lang, { timeZone: tz, ...options }));
  }
  return formats.get(key);
}

const known = new Map();
/** Whether this runtime's Intl has date data for `lang` (Chromium has none for mn). */
export function intlSpeaks(lang) {
  if (!known.has(lang)) {
    let ok = false;
    try {
      ok = Intl.DateTimeFormat.supportedLocalesOf([INTL_LOCALE[lang] ?? lang]).length > 0;
    } catch {
      ok = false;
    }
    known.set(lang, ok);
  }
  return known.get(lang);
}

/** An ISO 8601 moment as a Date; null when absent or unreadable. */
export function moment(iso) {
  if (typeof iso !== "string" || !iso) return null;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? new Date(ms) : null;
}

/** A room's slot: {start, end} as Dates (either null). */
export function slotOf(room) {
  return { start: moment(room?.starts), end: moment(room?.ends) };
}

/** The zones to show for an event's `timezones`: the ones we have labels for, in the
 * event's order; both workshop zones when it names none of them. */
export function zonesFor(timezones) {
  const listed = Array.isArray(timezones) ? timezones : [];
  const picked = listed.map((tz) => ZONES.find((z) => z.tz === tz)).filter(Boolean);
  return picked.length ? picked : ZONES;
}

/** The calendar day of `date` in zone `tz`, as "YYYY-MM-DD" (a key, not for people). */
export function dayKey(date, tz) {
  const parts = dateFormat("en", tz, { year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(date);
  const get = (type) => parts.find((p) => p.type === type)?.value;
  return `${get("year")}-${get("month")}-${get("day")}`;
}

function numbers(date, tz) {
  const [year, month, day] = dayKey(date, tz).split("-").map(Number);
  return { month, day, weekday: new Date(Date.UTC(year, month - 1, day)).getUTCDay() };
}

function fromTemplate(key, date, tz, lang) {
  const { month, day, weekday } = numbers(date, tz);
  const names = t("programme.weekdays", null, lang).split(",");
  return t(key, { month, day, weekday: names[weekday]?.trim() ?? "" }, lang);
}

/** A short date for a slot: "10 Dec", "12月10日", "12-р сарын 10". */
export function shortDate(date, tz, lang, intl = intlSpeaks(lang)) {
  if (!intl) return fromTemplate("programme.date", date, tz, lang);
  return dateFormat(lang, tz, { day: "numeric", month: "short" }).format(date);
}

/** A day's heading: "Thursday 10 December", "12月10日木曜日", "12-р сарын 10, Пүрэв гараг". */
export function dayLabel(date, tz, lang, intl = intlSpeaks(lang)) {
  if (!intl) return fromTemplate("programme.day", date, tz, lang);
  return dateFormat(lang, tz, { weekday: "long", day: "numeric", month: "long" }).format(date);
}

function byStart(a, b) {
  return a.start - b.start || (a.end ?? a.start) - (b.end ?? b.start) || String(a.room.code).localeCompare(String(b.room.code));
}

/**
 * The programme: `[{key, date, sessions: [room...]}]`, one group per day of zone `tz` in
 * order, each session by its start (then its end, then its code); rooms without a start
 * come last, in their given order, in a group whose `key` and `date` are null ("Other
 * sessions"), only when there are some.
 */
export function groupByDay(rooms, tz = ZONES[0].tz) {
  const timed = [];
  const other = [];
  for (const room of rooms) {
    const { start, end } = slotOf(room);
    if (start) timed.push({ room, start, end });
    else other.push(room);
  }
  timed.sort(byStart);
  const days = [];
  for (const item of timed) {
    const key = dayKey(item.start, tz);
    let day = days[days.length - 1];
    if (!day || day.key !== key) {
      day = { key, date: item.start, sessions: [] };
      days.push(day);
    }
    day.sessions.push(item.room);
  }
  if (other.length) days.push({ key: null, date: null, sessions: other });
  return days;
}

/**
 * Which sessions are on at `clock` (a Date or ms) and which come next, as Sets of codes.
 * On: start <= clock < end (a session without an end is never "on"). Next: the sessions
 * that start soonest after the clock (several when they start together), later ones not.
 */
export function nowAndNext(rooms, clock) {
  const at = clock instanceof Date ? clock.getTime() : Number(clock);
  const now = new Set();
  const next = new Set();
  let soonest = Infinity;
  for (const room of rooms) {
    const { start, end } = slotOf(room);
    if (!start) continue;
    const s = start.getTime();
    if (s <= at && end && at < end.getTime()) now.add(room.code);
    else if (s > at && s <= soonest) {
      if (s < soonest) next.clear();
      soonest = s;
      next.add(room.code);
    }
  }
  return { now, next };
}

/**
 * A slot in each zone: `[{tz, label, text}]`, text like "09:00–10:30" or, with `withDate`
 * (the first zone) or when the zone's day differs from the first zone's, "10 Dec 23:30–00:30";
 * an end on another day than its start names that day too. [] without a start.
 */
export function slotParts(room, lang, { zones = ZONES, withDate = false, intl = intlSpeaks(lang) } = {}) {
  const { start, end } = slotOf(room);
  if (!start || !zones.length) return [];
  const firstDay = dayKey(start, zones[0].tz);
  return zones.map(({ tz, label }, i) => {
    const startDay = dayKey(start, tz);
    const dated = (withDate && i === 0) || startDay !== firstDay;
    let text = `${dated ? `${shortDate(start, tz, lang, intl)} ` : ""}${clockIn(tz, start)}`;
    if (end) {
      const endDated = dayKey(end, tz) !== startDay;
      text += `–${endDated ? `${shortDate(end, tz, lang, intl)} ` : ""}${clockIn(tz, end)}`;
    }
    return { tz, label, text };
  });
}

/** A slot on one line: "10 Dec 10:00–11:30 JST · 09:00–10:30 ULAT" ("" without a start). */
export function formatSlot(room, lang, options = {}) {
  return slotParts(room, lang, { withDate: true, ...options })
    .map(({ label, text }) => `${text} ${label}`)
    .join(" · ");
}
