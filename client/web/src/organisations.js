// The event's registry of organisations in the browser (issue 14; PROTOCOL.md "Additions",
// "Event file" and "Join"; docs/protocol.md "Multilingual text and the registry"). The
// join form offers the registry in the interface language and sends `org_id`; presence,
// the projector and question authors name an entry in the reader's language, so "仙台市"
// and "Sendai City" are one organisation, counted once. Pure, apart from the registry of
// the room on this page (`setRegistry`, called by the store as `lang-text` keeps the
// fallback order), so views can name an organisation without threading the room through.

import { getLang, t } from "./i18n.js";
import { charCount, checkOrgId, ORG_MAX } from "./identity.js";
import { textIn } from "./lang-text.js";

const CITY_KEY = (city) => `org.city.${city}`;

let current = [];

/** The registry as the room gives it (`event.organisations`): valid entries only. */
export function readRegistry(list) {
  if (!Array.isArray(list)) return [];
  return list
    .filter((o) => o && checkOrgId(o.id) && o.name != null)
    .map((o) => ({ id: o.id, name: o.name, city: typeof o.city === "string" && o.city ? o.city : null }));
}

/** The registry of this page's room (the store sets it from the room's event). */
export function setRegistry(list) {
  current = readRegistry(list);
}

export function registry() {
  return current;
}

/** A name as compared, as the server does: NFKC, case folded, spaces squeezed. */
export function foldName(text) {
  return String(text ?? "").normalize("NFKC").toLowerCase().split(/\s+/).filter(Boolean).join(" ");
}

function namesOf(entry) {
  const names = typeof entry.name === "string" ? [entry.name] : Object.values(entry.name).filter((v) => typeof v === "string");
  return [...names, entry.id];
}

/** The registry id a typed name (in any language), or an id, stands for; null for free text. */
export function resolveOrg(text, orgs = current) {
  const folded = foldName(text);
  if (!folded) return null;
  for (const entry of orgs) if (namesOf(entry).some((name) => foldName(name) === folded)) return entry.id;
  return null;
}

/** The entry of `id`, or undefined. */
export function entryOf(id, orgs = current) {
  return orgs.find((o) => o.id === id);
}

/** An entry's name for a reader of `lang`. */
export function orgName(entry, lang = getLang()) {
  return textIn(entry.name, lang);
}

/** The `org` a registry pick sends beside its `org_id`, for readers older than the
 * registry: its name in `lang`, or "" when that name is longer than `join` allows (80; the
 * server then names the entry itself, PROTOCOL.md "Join"). */
export function sentName(entry, lang) {
  const name = orgName(entry, lang);
  return charCount(name) <= ORG_MAX ? name : "";
}

/** What to show for an organisation as it came (a registry id, or a name a person typed or
 * picked in any language): the registry's name in `lang`, else the text as written. */
export function orgLabel(org, lang = getLang(), orgs = current) {
  const text = String(org ?? "");
  const entry = entryOf(text, orgs) ?? entryOf(resolveOrg(text, orgs), orgs);
  return entry ? orgName(entry, lang) : text;
}

/** The registry in the order the join form lists it: grouped by city, each city where its
 * first entry stands in the event file (the organiser's order), entries in file order. */
export function orderedRegistry(orgs = current) {
  const rank = new Map();
  orgs.forEach((o, i) => rank.set(o.city ?? `\u0000${o.id}`, rank.get(o.city ?? `\u0000${o.id}`) ?? i));
  return orgs
    .map((o, i) => ({ o, i, group: rank.get(o.city ?? `\u0000${o.id}`) }))
    .sort((a, b) => a.group - b.group || a.i - b.i)
    .map(({ o }) => o);
}

/** A city's name for a reader of `lang` ("Sendai", "仙台"): the catalogue's `org.city.ID`,
 * else the name of its only entry, else the id as written. */
export function cityName(city, lang = getLang(), orgs = current) {
  const key = CITY_KEY(city);
  const named = t(key, null, lang);
  if (named !== key) return named;
  const members = orgs.filter((o) => o.city === city);
  return members.length === 1 ? orgName(members[0], lang) : String(city);
}

/** A stored profile brought up to the registry: an `org_id` the registry has stays (its
 * `org` becomes the entry's name in the profile's language); an old profile with only a
 * typed `org` that is a registry name in any language gains its id; one the registry does
 * not know loses the id and keeps its text. Without a registry the profile is unchanged. */
export function withRegistry(profile, orgs = current) {
  if (!profile || !orgs.length) return profile;
  const id = entryOf(profile.org_id, orgs) ? profile.org_id : resolveOrg(profile.org, orgs);
  const { org_id: _dropped, ...rest } = profile;
  if (!id) return rest;
  return { ...rest, org: sentName(entryOf(id, orgs), profile.lang), org_id: id };
}

/** The join form's choice as a profile's fields: a registry pick sends `org_id` and, for
 * readers older than the registry, `org` as its name in the picker's language; "other"
 * sends the typed text only; "" (none) sends an empty `org`. */
export function choiceFields(choice, otherText, lang, orgs = current) {
  if (choice === "other") return { org: String(otherText ?? "").trim() };
  const entry = choice ? entryOf(choice, orgs) : undefined;
  return entry ? { org: sentName(entry, lang), org_id: entry.id } : { org: "" };
}

/** The join form's starting choice for a stored profile: {choice, other}. */
export function initialChoice(profile, orgs = current) {
  const id = entryOf(profile?.org_id, orgs) ? profile.org_id : resolveOrg(profile?.org, orgs);
  if (id) return { choice: id, other: "" };
  const text = String(profile?.org ?? "").trim();
  return text ? { choice: "other", other: text } : { choice: "", other: "" };
}

/** `presence.by_org` (registry ids and free texts) as [name, count] rows in `lang`: one
 * row per registry entry however its members named it, the largest first, then by name. */
export function presenceRows(byOrg, lang = getLang(), orgs = current) {
  const rows = new Map();
  for (const [org, n] of Object.entries(byOrg || {})) {
    if (!(n > 0)) continue;
    const id = entryOf(org, orgs) ? org : resolveOrg(org, orgs);
    const key = id ? `id:${id}` : `text:${org}`;
    const row = rows.get(key) ?? { name: id ? orgName(entryOf(id, orgs), lang) : org, n: 0 };
    row.n += n;
    rows.set(key, row);
  }
  return [...rows.values()].sort((a, b) => b.n - a.n || a.name.localeCompare(b.name)).map((r) => [r.name, r.n]);
}

/** Participants per city as [name, count] rows: the frame's `by_city` when the server sent
 * it, else summed from `by_org` through the registry's `city`; cities in registry order. */
export function cityRows(byOrg, byCity, lang = getLang(), orgs = current) {
  let counts = byCity && typeof byCity === "object" ? byCity : null;
  if (!counts) {
    counts = {};
    for (const [org, n] of Object.entries(byOrg || {})) {
      const city = entryOf(entryOf(org, orgs) ? org : resolveOrg(org, orgs), orgs)?.city;
      if (city && n > 0) counts[city] = (counts[city] ?? 0) + n;
    }
  }
  const order = [...new Set(orgs.map((o) => o.city).filter(Boolean))];
  const rank = (city) => (order.includes(city) ? order.indexOf(city) : order.length);
  return Object.entries(counts)
    .filter(([, n]) => n > 0)
    .sort((a, b) => rank(a[0]) - rank(b[0]) || a[0].localeCompare(b[0]))
    .map(([city, n]) => [cityName(city, lang, orgs), n]);
}

const line = (rows) => rows.map(([name, n]) => `${name || t("present.no_org")} ${n}`).join(" · ");

/** "Sendai City 23 · Ulaanbaatar City 19 · UNDRR 4": the largest first, then by name. */
export function presenceLine(byOrg) {
  return line(presenceRows(byOrg));
}

/** "Sendai 23 · Ulaanbaatar 19": participants per city of the registry, in its order. */
export function cityLine(byOrg, byCity) {
  return line(cityRows(byOrg, byCity));
}
