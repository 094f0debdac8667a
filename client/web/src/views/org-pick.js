// The join form's organisation picker (issue 14), for an event with a registry: a <select>
// of the entries named in the interface language ("Prefer not to say" first, "Other…"
// last, which shows the form's free-text field). A chunk of its own, fetched by join.js
// only when the room's registry has entries, so an event without one costs nothing.

import { el } from "../dom.js";
import { getLang } from "../i18n.js";
import { choiceFields, initialChoice, orderedRegistry } from "../org-choice.js";
import { orgName } from "../organisations.js";

/** list: the registry; start: the profile (or typed text) to start from; text: the
 * form's free-text input, shown for "Other…"; textLabel: its label. Returns {el,
 * rename(), fields(lang)}. */
export function createOrgPick({ list, start, text, textLabel }) {
  const orgs = orderedRegistry(list);
  const pick = el(
    "select",
    { id: "join-org-pick" },
    el("option", { i18n: "join.org_none", props: { value: "" } }),
    ...orgs.map((o) => el("option", { data: { org: o.id }, props: { value: o.id } })),
    el("option", { i18n: "join.org_other", props: { value: "other" } }),
  );
  function rename() {
    const lang = getLang();
    for (const option of pick.querySelectorAll("option[data-org]")) option.textContent = orgName(orgs.find((o) => o.id === option.value), lang);
  }
  function showOther() {
    text.hidden = textLabel.hidden = pick.value !== "other";
  }
  pick.addEventListener("change", () => {
    showOther();
    if (pick.value === "other") text.focus();
  });
  const { choice, other } = initialChoice(start, orgs);
  rename();
  pick.value = choice;
  text.value = other;
  showOther();
  return { el: pick, rename, fields: (lang) => choiceFields(pick.value, text.value, lang, orgs) };
}
