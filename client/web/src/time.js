// Times in both workshop zones, side by side (USERS.md: "Two cities in two zones need
// both"): "14:05 JST · 13:05 ULAT". The labels are the zones' usual abbreviations and
// stay the same in every language.

/** The workshop's two zones: `city` names the catalogue key `present.city_<city>`. */
export const ZONES = [
  { tz: "Asia/Tokyo", label: "JST", city: "tokyo" },
  { tz: "Asia/Ulaanbaatar", label: "ULAT", city: "ulaanbaatar" },
];

const clock = new Map();
const day = new Map();

function clockFormat(tz) {
  if (!clock.has(tz)) {
    clock.set(
      tz,
      new Intl.DateTimeFormat("en-GB", { timeZone: tz, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }),
    );
  }
  return clock.get(tz);
}

function dayFormat(tz, lang) {
  const key = `${tz}|${lang}`;
  if (!day.has(key)) {
    day.set(key, new Intl.DateTimeFormat(lang, { timeZone: tz, dateStyle: "medium", timeStyle: "short" }));
  }
  return day.get(key);
}

function toDate(ts) {
  if (typeof ts !== "number" || !Number.isFinite(ts)) return null;
  return new Date(ts * 1000);
}

/** A Date's wall-clock time in zone `tz`, "14:05" (24 h, as in both cities). */
export function clockIn(tz, date) {
  return clockFormat(tz).format(date);
}

/** A server ts (UTC seconds, a number) as "14:05 JST · 13:05 ULAT"; "" otherwise. */
export function formatDual(ts) {
  const date = toDate(ts);
  if (!date) return "";
  return ZONES.map(({ tz, label }) => `${clockFormat(tz).format(date)} ${label}`).join(" · ");
}

/** The same moment with dates, for a tooltip: "27 Nov 2025, 14:05 JST · ...". */
export function formatDualLong(ts, lang = "en") {
  const date = toDate(ts);
  if (!date) return "";
  let locale = lang;
  try {
    Intl.DateTimeFormat.supportedLocalesOf([lang]);
  } catch {
    locale = "en";
  }
  return ZONES.map(({ tz, label }) => `${dayFormat(tz, locale).format(date)} ${label}`).join(" · ");
}

/** ISO 8601 (UTC) for a <time datetime> attribute. */
export function isoTime(ts) {
  const date = toDate(ts);
  return date ? date.toISOString() : "";
}
