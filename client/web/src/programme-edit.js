// The organiser's programme, as data (issue 15, "Organiser role and page"): a room's slot
// typed as a date and a time in JST or ULAT and sent as ISO 8601 with its offset, read back
// on either clock, PATCH bodies with only what changed, and moves in the order. A slot is
// shown by programme.js's formatSlot, as everywhere else.
// Pure: no DOM, no fetch; the views (views/organise-*.js) and the node tests use it.

import { normaliseCode } from "./route.js";
import { ZONES } from "./time.js";

/** The zones a slot can be typed in, by label ("JST" -> "Asia/Tokyo"). */
export const ZONE_BY_LABEL = Object.fromEntries(ZONES.map((z) => [z.label, z.tz]));

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{2}):(\d{2})(?::\d{2})?$/;
const pad = (n) => String(n).padStart(2, "0");
const partsFormat = new Map();

/** Minutes east of UTC of zone `tz` at `date` (Tokyo +540, Ulaanbaatar +480), from Intl,
 * so a zone's past rules hold too (Mongolia kept summer time in 2015 and 2016). */
export function offsetMinutes(tz, date) {
  if (!partsFormat.has(tz)) {
    const options = { timeZone: tz, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" };
    partsFormat.set(tz, new Intl.DateTimeFormat("en-US", options));
  }
  const parts = Object.fromEntries(partsFormat.get(tz).formatToParts(date).map((p) => [p.type, p.value]));
  const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return Math.round((wall - Math.floor(date.getTime() / 1000) * 1000) / 60_000);
}

function offsetText(minutes) {
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** A date ("2026-12-10") and a time ("10:00") on the clocks of `zone` ("JST" or "ULAT") as
 * ISO 8601 with that zone's offset, "2026-12-10T10:00:00+09:00"; null when either is not
 * a real date or time. */
export function isoFromLocal(date, time, zone) {
  const tz = ZONE_BY_LABEL[zone];
  const d = DATE.exec(String(date ?? ""));
  const h = TIME.exec(String(time ?? ""));
  if (!tz || !d || !h) return null;
  const [year, month, day, hour, minute] = [d[1], d[2], d[3], h[1], h[2]].map(Number);
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const check = new Date(wall);
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59) return null;
  // The offset at the instant itself: a first guess from the wall time, then once more.
  let offset = offsetMinutes(tz, new Date(wall));
  offset = offsetMinutes(tz, new Date(wall - offset * 60_000));
  return `${d[0]}T${pad(hour)}:${pad(minute)}:00${offsetText(offset)}`;
}

/** An ISO 8601 instant as {date, time} on the clocks of `zone`; empty strings for none. */
export function localFromIso(iso, zone) {
  const tz = ZONE_BY_LABEL[zone];
  const ms = iso ? Date.parse(iso) : NaN;
  if (!tz || Number.isNaN(ms)) return { date: "", time: "" };
  const wall = new Date(ms + offsetMinutes(tz, new Date(ms)) * 60_000).toISOString();
  return { date: wall.slice(0, 10), time: wall.slice(11, 16) };
}

/** The same slot typed in another zone: {date, time} in `from` -> {date, time} in `to`. */
export function convertLocal(value, from, to) {
  const iso = isoFromLocal(value?.date, value?.time, from);
  return iso ? localFromIso(iso, to) : { date: value?.date ?? "", time: value?.time ?? "" };
}

/** Two instants (ISO strings, or null) are the same moment, whatever their offsets. */
export function sameInstant(a, b) {
  if (!a || !b) return !a && !b;
  return Date.parse(a) === Date.parse(b);
}

/** A server time (UTC seconds) as "2026-12-04 23:32 JST · 22:32 ULAT": the same in every
 * language (Intl has no Mongolian dates in every browser), the day written once when both
 * zones share it. "" for none. */
export function formatMoment(ts) {
  if (typeof ts !== "number" || !Number.isFinite(ts)) return "";
  const at = localFromIsoAll(new Date(ts * 1000).toISOString());
  let day = null;
  return ZONES.map(({ label }) => {
    const { date, time } = at[label];
    const text = date === day ? `${time} ${label}` : `${date} ${time} ${label}`;
    day = date;
    return text;
  }).join(" · ");
}

function localFromIsoAll(iso) {
  return Object.fromEntries(ZONES.map(({ label }) => [label, localFromIso(iso, label)]));
}

/** A title (a string, or a map {en, ja, mn}) as one text field per language of `langs`; a
 * plain string goes into the first of them (the event's main language). */
export function titleFields(title, langs) {
  const fields = Object.fromEntries(langs.map((lang) => [lang, ""]));
  if (title && typeof title === "object") {
    for (const lang of langs) if (typeof title[lang] === "string") fields[lang] = title[lang];
  } else if (title != null && langs.length) {
    fields[langs[0]] = String(title);
  }
  return fields;
}

/** The wire title from the fields: a map of the non-empty, trimmed ones; null when none. */
export function titleValue(fields) {
  const out = {};
  for (const [lang, text] of Object.entries(fields || {})) if (String(text ?? "").trim()) out[lang] = String(text).trim();
  return Object.keys(out).length ? out : null;
}

/** What the edit form shows for `room`: its titles, and its slot in `zone`. */
export function formOf(room, zone, langs) {
  return { title: titleFields(room?.title, langs), starts: localFromIso(room?.starts, zone), ends: localFromIso(room?.ends, zone) };
}

/** {date, time} -> {iso} (null for both empty) or {error} for a half-filled one. */
function slotValue(value, zone) {
  const date = String(value?.date ?? "").trim();
  const time = String(value?.time ?? "").trim();
  if (!date && !time) return { iso: null };
  const iso = isoFromLocal(date, time, zone);
  return iso ? { iso } : { error: "organise.err.bad_time" };
}

function sameFields(a, b) {
  const keys = new Set([...Object.keys(a || {}), ...Object.keys(b || {})]);
  return [...keys].every((k) => String(a?.[k] ?? "").trim() === String(b?.[k] ?? "").trim());
}

/**
 * The PATCH body for editing `room` into `form` ({title: {lang: text}, starts, ends: {date,
 * time}} typed in `zone`): only the fields that changed, `null` for a slot cleared.
 * Returns {body} ({} when nothing changed) or {error: catalogue key}.
 */
export function patchBody(room, form, zone, langs) {
  const body = {};
  if (!sameFields(form.title, titleFields(room?.title, langs))) {
    const title = titleValue(form.title);
    if (!title) return { error: "organise.err.title_required" };
    body.title = title;
  }
  const starts = slotValue(form.starts, zone);
  const ends = slotValue(form.ends, zone);
  if (starts.error || ends.error) return { error: starts.error || ends.error };
  if (!sameInstant(starts.iso, room?.starts ?? null)) body.starts = starts.iso;
  if (!sameInstant(ends.iso, room?.ends ?? null)) body.ends = ends.iso;
  const error = slotError(starts.iso, ends.iso);
  return error ? { error } : { body };
}

function slotError(starts, ends) {
  if (ends && !starts) return "organise.err.ends_without_start";
  if (starts && ends && Date.parse(ends) <= Date.parse(starts)) return "organise.err.ends_before_starts";
  return null;
}

/** The POST body for a new room: {title, code?, starts?, ends?}, or {error}. */
export function newRoomBody({ title, code, starts, ends }, zone) {
  const wireTitle = titleValue(title);
  if (!wireTitle) return { error: "organise.err.title_required" };
  const body = { title: wireTitle };
  if (String(code ?? "").trim()) {
    const clean = normaliseCode(code);
    if (!clean) return { error: "organise.err.bad_code" };
    body.code = clean;
  }
  const s = slotValue(starts, zone);
  const e = slotValue(ends, zone);
  if (s.error || e.error) return { error: s.error || e.error };
  const error = slotError(s.iso, e.iso);
  if (error) return { error };
  if (s.iso) body.starts = s.iso;
  if (e.iso) body.ends = e.iso;
  return { body };
}

/** The order after moving `code` by `delta` places (-1 up, +1 down); null when it cannot. */
export function moveCode(codes, code, delta) {
  const from = codes.indexOf(code);
  const to = from + delta;
  if (from < 0 || to < 0 || to >= codes.length || delta === 0) return null;
  const next = [...codes];
  next.splice(from, 1);
  next.splice(to, 0, code);
  return next;
}
