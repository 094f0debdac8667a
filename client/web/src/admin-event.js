// The admin page's pure part (issue 15; docs/protocol.md "The admin link"): the key from the
// link, the POST /api/events body from the form's values, and what an answer means. No DOM,
// so node tests cover it (test/admin.test.js).

import { LANGS } from "./i18n.js";

export const ADMIN_KEY = "workshop.admin-key";
export const TITLE_MAX = 200; // characters, as an event file's titles (server/event_file.py)
// A new room's code: 2-32 of A-Z, 0-9 and '-', not starting with '-' (protocol room_code(new=True)).
const NEW_CODE = /^[A-Z0-9][A-Z0-9-]{1,31}$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/;

/** The two workshop zones a slot may be written in, with their offsets (no daylight saving
 * in either city, so the offset is the zone's all year). */
export const SLOT_ZONES = { JST: "+09:00", ULAT: "+08:00" };
export const EVENT_TIMEZONES = ["Asia/Tokyo", "Asia/Ulaanbaatar"];

/**
 * The admin key: taken from "#key=" (then wiped from the address bar, so it is neither
 * bookmarked nor shared by accident) and kept in this tab's sessionStorage only. The admin
 * key cannot be revoked short of rotating the secret, so it does not outlive the tab.
 */
export function takeAdminKey(store, loc = globalThis.location, hist = globalThis.history) {
  const hash = String(loc?.hash || "").replace(/^#/, "");
  const fromHash = new URLSearchParams(hash).get("key");
  if (fromHash) {
    store.set(ADMIN_KEY, fromHash);
    try {
      hist?.replaceState(hist.state, "", `${loc.pathname}${loc.search}`);
    } catch {
      /* the key is kept; a fragment left in place is never sent to the server */
    }
    return fromHash;
  }
  return store.get(ADMIN_KEY) || null;
}

/** Code points, as the server counts them. */
const length = (text) => [...text].length;

/** {en, ja, mn} of trimmed, non-empty texts (a language left empty is left out). */
export function langMap(texts) {
  const out = {};
  for (const lang of LANGS) {
    const text = String(texts?.[lang] ?? "").trim();
    if (text) out[lang] = text;
  }
  return out;
}

/** "2026-12-10" + "10:00" in zone "JST" -> "2026-12-10T10:00:00+09:00"; null if not a real
 * date, a time or a zone. */
export function isoAt(date, time, zone) {
  const d = DATE.exec(String(date ?? ""));
  const t = TIME.exec(String(time ?? ""));
  const offset = SLOT_ZONES[zone];
  if (!d || !t || !offset) return null;
  const [year, month, day] = [Number(d[1]), Number(d[2]), Number(d[3])];
  const real = new Date(Date.UTC(year, month - 1, day));
  if (real.getUTCFullYear() !== year || real.getUTCMonth() !== month - 1 || real.getUTCDate() !== day) return null;
  return `${d[0]}T${t[1]}:${t[2]}:${t[3] ?? "00"}${offset}`;
}

function checkTitle(texts, field) {
  const map = langMap(texts);
  if (Object.keys(map).length === 0) return { error: `admin.err.${field}_missing`, field };
  const long = Object.keys(map).find((lang) => length(map[lang]) > TITLE_MAX);
  if (long) return { error: "admin.err.title_long", field: `${field}.${long}` };
  return { map };
}

/**
 * The body of POST /api/events from the new-event form, or {error, field} naming the
 * catalogue key to show and the field to focus. `values`: {title: {en, ja, mn}, code,
 * roomTitle: {en, ja, mn}, date, starts, ends, zone} as typed.
 */
export function eventBody(values) {
  const title = checkTitle(values.title, "title");
  if (title.error) return title;
  const code = String(values.code ?? "").trim().toUpperCase();
  if (!NEW_CODE.test(code)) return { error: "admin.err.code", field: "code" };
  const roomTitle = checkTitle(values.roomTitle, "room_title");
  if (roomTitle.error) return roomTitle;
  const room = { code, title: roomTitle.map };
  const date = String(values.date ?? "").trim();
  const starts = String(values.starts ?? "").trim();
  const ends = String(values.ends ?? "").trim();
  if (date || starts || ends) {
    if (!date) return { error: "admin.err.needs_date", field: "date" };
    if (!starts) return { error: "admin.err.needs_start", field: "starts" };
    room.starts = isoAt(date, starts, values.zone);
    if (!room.starts) return { error: "admin.err.bad_time", field: "starts" };
    if (ends) {
      room.ends = isoAt(date, ends, values.zone);
      if (!room.ends) return { error: "admin.err.bad_time", field: "ends" };
      // One date and one offset: the wall-clock strings compare as the moments do.
      if (room.ends <= room.starts) return { error: "admin.err.ends_before", field: "ends" };
    }
  }
  return { body: { title: title.map, rooms: [room], timezones: [...EVENT_TIMEZONES], languages: [...LANGS] } };
}

/** When an event was made (server seconds), in both workshop zones: ["2026-12-04 23:22 JST",
 * "2026-12-04 22:22 ULAT"], the same in every language (a browser may have no Mongolian dates,
 * and falls back to English month names). Not time.js's: importing time.js here would split
 * the room page's shared chunks and cost the participant's first load a request. */
export function madeAt(ts) {
  if (typeof ts !== "number" || !Number.isFinite(ts)) return [];
  const zones = [["Asia/Tokyo", "JST"], ["Asia/Ulaanbaatar", "ULAT"]];
  const shape = { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
  return zones.map(([timeZone, label]) => {
    const parts = Object.fromEntries(new Intl.DateTimeFormat("en", { ...shape, timeZone }).formatToParts(new Date(ts * 1000)).map((p) => [p.type, p.value]));
    return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} ${label}`;
  });
}

/** A path the server gives ("/e/ID/organise#key=…") as a link to share: absolute. */
export function absoluteLink(path, origin = globalThis.location?.origin ?? "") {
  return new URL(String(path), origin).href;
}

/**
 * What an answer of /api/events means for the reader: {key, params} of the catalogue, or
 * null for a success. `forget`: the key is not an admin key; drop it.
 */
export function refusal(status, body, code = "") {
  if (status >= 200 && status < 300) return null;
  if (status === 401 || status === 403) return { key: "admin.err.bad_key", params: {}, forget: true };
  if (status === 400) return { key: "admin.err.refused", params: { detail: String(body?.detail ?? body?.error ?? "") } };
  if (status === 409) return { key: "admin.err.taken", params: { code } };
  if (status === 413) return { key: "admin.err.too_large", params: {} };
  return { key: "admin.err.failed", params: { status: String(status) } };
}
