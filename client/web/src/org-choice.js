// The join form's choice of organisation over the event's registry (issue 14): the order
// it lists the entries in, the profile fields a choice sends, and the choice a stored
// profile starts from. Pure; fetched with the form's picker (views/org-pick.js) only when
// the event has a registry.

import { entryOf, registry, resolveOrg, sentName } from "./organisations.js";

/** The registry in the order the join form lists it: grouped by city, each city where its
 * first entry stands in the event file (the organiser's order), entries in file order. */
export function orderedRegistry(orgs = registry()) {
  const rank = new Map();
  orgs.forEach((o, i) => rank.set(o.city ?? `\u0000${o.id}`, rank.get(o.city ?? `\u0000${o.id}`) ?? i));
  return orgs
    .map((o, i) => ({ o, i, group: rank.get(o.city ?? `\u0000${o.id}`) }))
    .sort((a, b) => a.group - b.group || a.i - b.i)
    .map(({ o }) => o);
}

/** The join form's choice as a profile's fields: a registry pick sends `org_id` and, for
 * readers older than the registry, `org` as its name in the picker's language; "other"
 * sends the typed text only; "" (none) sends an empty `org`. */
export function choiceFields(choice, otherText, lang, orgs = registry()) {
  if (choice === "other") return { org: String(otherText ?? "").trim() };
  const entry = choice ? entryOf(choice, orgs) : undefined;
  return entry ? { org: sentName(entry, lang), org_id: entry.id } : { org: "" };
}

/** The join form's starting choice for a stored profile: {choice, other}. */
export function initialChoice(profile, orgs = registry()) {
  const id = entryOf(profile?.org_id, orgs) ? profile.org_id : resolveOrg(profile?.org, orgs);
  if (id) return { choice: id, other: "" };
  const text = String(profile?.org ?? "").trim();
  return text ? { choice: "other", other: text } : { choice: "", other: "" };
}
