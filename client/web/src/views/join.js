// The join form: name (1-60), organisation and language. Remembered in localStorage by the
// caller, so a reload rejoins straight away.
//
// The organisation (issue 14): when the event has a registry, a <select> of its entries
// named in the interface language (re-named on a language switch, the choice kept), plus
// "Other…", which shows a free-text field (0-80), and "Prefer not to say". Without a
// registry (an event file from before it) the free-text field alone, as before. The
// registry comes with the room's info, which may arrive after the form is shown: what was
// typed by then is matched to an entry (org-choice.js), else kept as "Other…".

import { el } from "../dom.js";
import { getLang, LANGS, onLangChange, setLang, t } from "../i18n.js";
import { checkProfile, NAME_MAX, ORG_MAX } from "../identity.js";
import { readRegistry } from "../organisations.js";

/** initial: a profile to prefill; registry: a promise of the event's organisations;
 * onSubmit(profile) is called with a checked profile. */
export function createJoinForm({ initial = null, registry = Promise.resolve([]), onSubmit }) {
  const name = el("input", {
    id: "join-name",
    attrs: { type: "text", maxlength: NAME_MAX, autocomplete: "name", required: true },
    props: { value: initial?.name ?? "" },
  });
  const orgLabel = el("label", { attrs: { for: "join-org" }, i18n: "join.org" });
  const org = el("input", {
    id: "join-org",
    attrs: { type: "text", maxlength: ORG_MAX, autocomplete: "organization" },
    props: { value: initial?.org ?? "" },
  });
  const otherLabel = el("label", { className: "join-org-other", attrs: { for: "join-org" }, i18n: "join.org_other_label" });
  otherLabel.hidden = true;
  let picker = null; // views/org-pick.js, once the registry is known to have entries

  const lang = el("select", { id: "join-lang" });
  for (const code of LANGS) lang.append(el("option", { text: t(`lang.${code}`, null, code), props: { value: code }, attrs: { lang: code } }));
  lang.value = initial?.lang && LANGS.includes(initial.lang) ? initial.lang : getLang();
  // One language for the person: choosing it here also switches the interface, and the
  // switch in the header keeps this field in step.
  lang.addEventListener("change", () => setLang(lang.value));
  const stopSync = onLangChange((code) => {
    lang.value = code;
    picker?.rename();
  });
  const error = el("p", { id: "join-error", className: "form-error", attrs: { role: "alert" } });
  error.hidden = true;

  const form = el(
    "form",
    { id: "join-form", className: "card join-form", attrs: { novalidate: true } },
    el("h2", { id: "title-join", i18n: "join.heading" }),
    el("p", { className: "hint", i18n: "join.intro" }),
    el("label", { attrs: { for: "join-name" }, i18n: "join.name" }),
    name,
    orgLabel,
    otherLabel,
    org,
    el("label", { attrs: { for: "join-lang" }, i18n: "join.lang" }),
    lang,
    error,
    el("button", { id: "join-submit", className: "primary", i18n: "join.submit", props: { type: "submit" } }),
  );

  // The registry, once the room says it (data-registry tells tests the form is settled).
  registry
    .catch(() => [])
    .then(async (raw) => {
      const list = readRegistry(raw);
      if (list.length) {
        const { createOrgPick } = await import("./org-pick.js");
        const edited = org.value.trim() && org.value !== (initial?.org ?? "");
        picker = createOrgPick({ list, start: edited ? { org: org.value } : initial, text: org, textLabel: otherLabel });
        orgLabel.setAttribute("for", "join-org-pick");
        orgLabel.after(picker.el);
      }
      form.dataset.registry = list.length ? "loaded" : "none";
    })
    .catch(() => {
      form.dataset.registry = "none"; // offline before the picker was fetched: free text
    });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const fields = picker ? picker.fields(lang.value) : { org: org.value };
    const checked = checkProfile({ name: name.value, lang: lang.value, ...fields });
    if (checked.error) {
      error.dataset.i18n = checked.error;
      error.textContent = t(checked.error);
      error.hidden = false;
      (checked.error === "join.bad_name" ? name : org).focus();
      return;
    }
    stopSync();
    onSubmit(checked.profile);
  });
  queueMicrotask(() => name.focus());
  return { el: form };
}
