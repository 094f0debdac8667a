// Which page this is, from location.pathname (docs/protocol.md (Part 2), "HTTP additions"):
// "/" landing; "/r/CODE" participant; "/r/CODE/moderate" moderator; "/r/CODE/present" presenter;
// "/r/CODE/rapporteur" the rapporteur's read-only timeline; "/r/CODE/interpret" the
// interpreter's page (issue 14); "/r/CODE/handout" a room's printable handout,
// "/e/EVENT/organise" the event's organiser page and "/admin" the server admin's page
// (issue 15). The server serves each of these paths too.

import { LANGS } from "./i18n.js";

const CODE = /^[A-Z0-9-]{2,32}$/;
const EVENT_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Upper-cases and checks a room code; returns null when it is not one. */
export function normaliseCode(text) {
  const code = String(text ?? "").trim().toUpperCase();
  return CODE.test(code) ? code : null;
}

/** Parses a pathname into {page: "landing"} or {page: "room", code, view} or {page: "unknown"}. */
export function parseRoute(pathname) {
  const parts = String(pathname || "/")
    .split("/")
    .filter(Boolean)
    .map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return p;
      }
    });
  if (parts.length === 0) return { page: "landing" };
  if (parts.length === 1 && parts[0] === "admin") return { page: "admin" }; // the server admin's page (issue 15)
  if (parts[0] === "e") {
    const ok = parts.length === 3 && parts[2] === "organise" && EVENT_ID.test(parts[1]);
    return ok ? { page: "organise", eventId: parts[1] } : { page: "unknown" };
  }
  if (parts[0] !== "r" || parts.length < 2 || parts.length > 3) return { page: "unknown" };
  const code = normaliseCode(parts[1]);
  if (!code) return { page: "unknown" };
  const sub = parts[2];
  if (sub === undefined) return { page: "room", code, view: "participant" };
  if (sub === "moderate") return { page: "room", code, view: "moderator" };
  if (sub === "present") return { page: "room", code, view: "presenter" };
  if (sub === "rapporteur") return { page: "room", code, view: "rapporteur" };
  if (sub === "interpret") return { page: "room", code, view: "interpreter" };
  if (sub === "handout") return { page: "handout", code };
  return { page: "unknown" };
}

/** The path of a room view. */
export function roomPath(code, view = "participant") {
  const base = `/r/${encodeURIComponent(code)}`;
  if (view === "moderator") return `${base}/moderate`;
  if (view === "presenter") return `${base}/present`;
  if (view === "rapporteur") return `${base}/rapporteur`;
  if (view === "interpreter") return `${base}/interpret`;
  if (view === "handout") return `${base}/handout`;
  return base;
}

/** The projector's two interface languages asked for in ?langs= (/r/CODE/present?langs=ja,mn,
 * present-langs.js), two known ones, else []. Here rather than in present-langs.js because
 * main.js reads it on every page before the first render: route.js is in every page's first
 * load already, present-langs.js then stays in the projector's chunk. */
export function projectorLangs(search = location.search) {
  const asked = (new URLSearchParams(search).get("langs") || "").split(",").map((s) => s.trim());
  const langs = [...new Set(asked.filter((l) => LANGS.includes(l)))].slice(0, 2);
  return langs.length === 2 ? langs : [];
}
