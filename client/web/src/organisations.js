// The event's registry of organisations in the browser (issue 14; PROTOCOL.md "Additions",
// "Event file" and "Join"; docs/protocol.md "Multilingual text and the registry"). The
// join form offers the registry in the interface language and sends `org_id`; presence,
// the projector and question authors name an entry in the reader's language, so "仙台市"
// and "Sendai City" are one organisation, counted once. Pure, apart from the registry of
// the room on this page (`setRegistry`, called by the store as `lang-text` keeps the
// fallback order), so views can name an organisation without threading the room through.
//
// What every participant's first load needs is here; the join form's choice
// (org-choice.js, fetched only for an event with a registry) and the per-city totals of
// the projector and the console (cities.js) are modules of their own, to keep the
// participant page within its 80 KB (tests/browser/test_assets_browser.py).

import { getLang, t } from "./i18n.js";
import { charCount, checkOrgId, ORG_MAX } from "./identity.js";
import { textIn } from "./lang-text.js";

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

/** Rows of [name, count] as "Sendai City 2 · Tohoku University 1". */
export const countsLine = (rows) => rows.map(([name, n]) => `${name || t("present.no_org")} ${n}`).join(" · ");

/** "Sendai City 23 · Ulaanbaatar City 19 · UNDRR 4": the largest first, then by name. */
export function presenceLine(byOrg) {
  return countsLine(presenceRows(byOrg));
}
