// Staff invitations on the organiser page (issue 15): what an invitation form may send,
// and the order the list shows. Pure; views/organise-staff.js draws them.

import { charCount } from "./identity.js";

export const INVITE_ROLES = ["moderator", "rapporteur", "interpreter", "organiser"];
export const LABEL_MAX = 80;

/** The POST body from the form ({role, room: code or "" for the whole event, label}),
 * or {error}. An organiser is always event-wide (docs/protocol.md, "Staff links"). */
export function inviteBody({ role, room, label }) {
  if (!INVITE_ROLES.includes(role)) return { error: "organise.err.bad_role" };
  const text = String(label ?? "").trim();
  if (charCount(text) > LABEL_MAX) return { error: "organise.err.label_too_long" };
  const scope = role === "organiser" || !room ? null : String(room);
  return { body: { role, room: scope, label: text } };
}

/** Links that still work first (newest first), then the revoked ones (last revoked first). */
export function staffOrder(links) {
  return [...(links || [])].sort((a, b) => {
    if (Boolean(a.revoked) !== Boolean(b.revoked)) return a.revoked ? 1 : -1;
    if (a.revoked && b.revoked) return b.revoked - a.revoked;
    return (b.created ?? 0) - (a.created ?? 0) || String(a.kid).localeCompare(String(b.kid));
  });
}

/** A link's address, absolute on this page's origin (the server may answer a path). */
export function absoluteUrl(url, origin) {
  try {
    return new URL(String(url), origin).href;
  } catch {
    return String(url ?? "");
  }
}
