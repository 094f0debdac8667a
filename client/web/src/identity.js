// Who this browser is in the room service: the identity token (keeps the pid, votes and
// authorship across reloads and tabs), the join profile (name, organisation, language),
// and the role keys of staff invite links.

import { local, session } from "./storage.js";

const TOKEN_KEY = "workshop.token";
const PROFILE_KEY = "workshop.profile";
const roomKeyName = (code) => `workshop.key.${code}`;
const eventOfRoom = (code) => `workshop.event-of.${code}`;
const eventKeyName = (eventId) => `workshop.event-key.${eventId}`;

export const NAME_MAX = 60;
export const ORG_MAX = 80;
const ORG_ID = /^[a-z0-9][a-z0-9_-]{0,39}$/; // a registry id (server/organisations.py)

/** The token store the connection uses: per origin, shared by every room. */
export const tokens = {
  load: () => local().get(TOKEN_KEY),
  save: (token) => local().set(TOKEN_KEY, token),
  clear: () => local().remove(TOKEN_KEY),
};

/** Characters as the server counts them (code points, not UTF-16 units). */
export function charCount(text) {
  return [...String(text ?? "")].length;
}

/** A registry id as the server takes it, else null. */
export function checkOrgId(orgId) {
  return typeof orgId === "string" && ORG_ID.test(orgId) ? orgId : null;
}

/** Trims and checks a profile; returns {profile} or {error: "join.bad_name" | "join.bad_org"}.
 * `org_id` (a registry pick, issue 14) is kept when it is well formed. */
export function checkProfile({ name, org, lang, org_id: orgId }) {
  const cleanName = String(name ?? "").trim();
  const cleanOrg = String(org ?? "").trim();
  if (charCount(cleanName) < 1 || charCount(cleanName) > NAME_MAX) return { error: "join.bad_name" };
  if (charCount(cleanOrg) > ORG_MAX) return { error: "join.bad_org" };
  const id = checkOrgId(orgId);
  return { profile: { name: cleanName, org: cleanOrg, lang, ...(id ? { org_id: id } : {}) } };
}

/** The remembered profile, or null when this browser has not joined yet. */
export function loadProfile() {
  const saved = local().getJSON(PROFILE_KEY);
  if (!saved || typeof saved !== "object") return null;
  const { profile } = checkProfile(saved);
  return profile ?? null;
}

export function saveProfile(profile) {
  local().setJSON(PROFILE_KEY, profile);
}

/**
 * The role key for room `code`. An invite link carries it after "#key=" (never in a query,
 * so it stays out of server logs and Referer headers); it is kept in this browser's
 * storage and wiped from the address bar, so it is not bookmarked or shared by accident.
 * The link then works again from a new tab or a bookmark on this device (issue 13), until
 * "Forget this key" (`forgetRoleKey`). A key the server accepted is also kept for its
 * event (`keepRoleKey`): one moderator key opens every room of an event.
 */
export function takeRoleKey(code, loc = globalThis.location, hist = globalThis.history) {
  const hash = String(loc?.hash || "").replace(/^#/, "");
  const fromHash = new URLSearchParams(hash).get("key");
  if (fromHash) {
    local().set(roomKeyName(code), fromHash);
    try {
      hist?.replaceState(hist.state, "", `${loc.pathname}${loc.search}`);
    } catch {
      /* the key is stored; a hash left in place is harmless */
    }
    return fromHash;
  }
  return local().get(roomKeyName(code)) ?? session().get(roomKeyName(code));
}

/** The key kept for event `eventId` (from another room of it), or null. */
export function eventRoleKey(eventId) {
  return eventId ? local().get(eventKeyName(eventId)) : null;
}

/** The server gave `key` its role in room `code` of event `eventId`: keep it for both. */
export function keepRoleKey(code, eventId, key) {
  local().set(roomKeyName(code), key);
  if (eventId) {
    local().set(eventOfRoom(code), eventId);
    local().set(eventKeyName(eventId), key);
  }
}

/** Removes every copy of the key that opened room `code` from this browser. */
export function forgetRoleKey(code) {
  const key = local().get(roomKeyName(code)) ?? session().get(roomKeyName(code));
  const eventId = local().get(eventOfRoom(code));
  if (eventId && (key === null || local().get(eventKeyName(eventId)) === key)) local().remove(eventKeyName(eventId));
  local().remove(roomKeyName(code));
  local().remove(eventOfRoom(code));
  session().remove(roomKeyName(code));
}
