// What the organiser and handout pages load for themselves (issue 15), so that none of it is
// in a participant's first load (issue 13's 80 KB): their strings, a part added to each
// catalogue, and their style sheet, a CSS file of its own (build.mjs names it ORGANISE_CSS;
// the page's CSP allows style sheets from 'self').

import { el } from "../dom.js";
import { CATALOGUES, initLang, LANGS, loadLangs, translateTree } from "../i18n.js";

export const ORGANISE_CATALOGUE = {
  en: () => import("../catalogues/organise-en.js"),
  ja: () => import("../catalogues/organise-ja.js"),
  mn: () => import("../catalogues/organise-mn.js"),
};

/* global ORGANISE_CSS */
const SHEET = typeof ORGANISE_CSS === "string" ? ORGANISE_CSS : null;

/** Adds the pages' style sheet once; resolves when it applies (or could not load). */
export function loadOrganiseStyles() {
  if (!SHEET || !globalThis.document) return Promise.resolve();
  const href = `/static/${SHEET}`;
  if (document.querySelector(`link[href="${href}"]`)) return Promise.resolve();
  return new Promise((resolve) => {
    const link = el("link", { attrs: { rel: "stylesheet", href } });
    link.addEventListener("load", resolve);
    link.addEventListener("error", resolve);
    document.head.append(link);
  });
}

/** This bundle's i18n (build.mjs) in the language main.js chose, with every catalogue and its
 * organiser part loaded at once: a language switch on these pages needs no fetch. */
export async function loadOrganiseCatalogues() {
  await initLang();
  await loadLangs(LANGS);
  const parts = await Promise.all(LANGS.map((lang) => ORGANISE_CATALOGUE[lang]()));
  LANGS.forEach((lang, i) => Object.assign(CATALOGUES[lang], parts[i].default));
  if (globalThis.document) translateTree(document);
}
