// Participants per city of the registry (issue 14): "Sendai 23 · Ulaanbaatar 19" on the
// projector and in the moderator's console, from the presence frame's `by_city` (or summed
// from `by_org` through the registry's `city`). Pure.

import { getLang, t } from "./i18n.js";
import { countsLine, entryOf, orgName, registry, resolveOrg } from "./organisations.js";

const CITY_KEY = (city) => `org.city.${city}`;

/** A city's name for a reader of `lang` ("Sendai", "仙台"): the catalogue's `org.city.ID`,
 * else the name of its only entry, else the id as written. */
export function cityName(city, lang = getLang(), orgs = registry()) {
  const key = CITY_KEY(city);
  const named = t(key, null, lang);
  if (named !== key) return named;
  const members = orgs.filter((o) => o.city === city);
  return members.length === 1 ? orgName(members[0], lang) : String(city);
}

/** Participants per city as [name, count] rows: the frame's `by_city` when the server sent
 * it, else summed from `by_org` through the registry's `city`; cities in registry order. */
export function cityRows(byOrg, byCity, lang = getLang(), orgs = registry()) {
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

/** "Sendai 23 · Ulaanbaatar 19": participants per city of the registry, in its order. */
export function cityLine(byOrg, byCity) {
  return countsLine(cityRows(byOrg, byCity));
}
