// The organiser key of an event's page, /e/EVENT/organise#key=... (issue 15): read from the
// fragment (never a query, so it stays out of server logs and Referer headers), kept on this
// device per event, wiped from the address bar, as identity.js does for room staff links.

import { local } from "./storage.js";

const keyName = (eventId) => `workshop.organiser-key.${eventId}`;

/** The organiser key for `eventId`: from the link's "#key=", else the one kept here, else null. */
export function takeOrganiserKey(eventId, loc = globalThis.location, hist = globalThis.history) {
  const fromHash = new URLSearchParams(String(loc?.hash || "").replace(/^#/, "")).get("key");
  if (fromHash) {
    local().set(keyName(eventId), fromHash);
    try {
      hist?.replaceState(hist.state, "", `${loc.pathname}${loc.search}`);
    } catch {
      /* the key is kept; a fragment left in place is never sent to the server */
    }
    return fromHash;
  }
  return local().get(keyName(eventId));
}

/** Removes the kept key (a shared computer, or a key the server refused). */
export function forgetOrganiserKey(eventId) {
  local().remove(keyName(eventId));
}
