// The join form: name (1-60), organisation (0-80, with suggestions and free text) and
// language. Remembered in localStorage by the caller, so a reload rejoins straight away.

import { el } from "../dom.js";
import { getLang, LANGS, onLangChange, setLang, t } from "../i18n.js";
import { checkProfile, NAME_MAX, ORG_MAX, ORG_SUGGESTIONS } from "../identity.js";

/** initial: a profile to prefill; onSubmit(profile) is called with a checked profile. */
export function createJoinForm({ initial = null, onSubmit }) {
  const name = el("input", {
    id: "join-name",
    attrs: { type: "text", maxlength: NAME_MAX, autocomplete: "name", required: true },
    props: { value: initial?.name ?? "" },
  });
  const org = el("input", {
    id: "join-org",
    attrs: { type: "text", maxlength: ORG_MAX, list: "org-suggestions", autocomplete: "organization" },
    props: { value: initial?.org ?? "" },
  });
  const suggestions = el("datalist", { id: "org-suggestions" }, ORG_SUGGESTIONS.map((o) => el("option", { props: { value: o } })));
  const lang = el("select", { id: "join-lang" });
  for (const code of LANGS) lang.append(el("option", { text: t(`lang.${code}`, null, code), props: { value: code }, attrs: { lang: code } }));
  lang.value = initial?.lang && LANGS.includes(initial.lang) ? initial.lang : getLang();
  // One language for the person: choosing it here also switches the interface, and the
  // switch in the header keeps this field in step.
  lang.addEventListener("change", () => setLang(lang.value));
  const stopSync = onLangChange((code) => {
    lang.value = code;
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
    el("label", { attrs: { for: "join-org" }, i18n: "join.org" }),
    org,
    suggestions,
    el("label", { attrs: { for: "join-lang" }, i18n: "join.lang" }),
    lang,
    error,
    el("button", { id: "join-submit", className: "primary", i18n: "join.submit", props: { type: "submit" } }),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const checked = checkProfile({ name: name.value, org: org.value, lang: lang.value });
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
