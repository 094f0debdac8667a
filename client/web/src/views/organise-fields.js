// Form parts the organiser page uses twice (a new room, and a room's edit form): a title
// field per language of the event, and a time slot typed in JST or ULAT (issue 15).

import { el } from "../dom.js";
import { getLang, t } from "../i18n.js";
import { convertLocal } from "../programme-edit.js";
import { ZONES } from "../time.js";

/** A fieldset of one text field per language; ids `${prefix}-title-${lang}`. */
export function createTitleFields(prefix, langs) {
  const inputs = new Map();
  const rows = langs.map((lang) => {
    const id = `${prefix}-title-${lang}`;
    const input = el("input", { id, attrs: { type: "text", lang, maxlength: 200, autocomplete: "off", "data-lang": lang } });
    inputs.set(lang, input);
    return el("div", { className: "org-field" }, el("label", { attrs: { for: id }, i18n: `lang_name.${lang}` }), input);
  });
  const root = el("fieldset", { className: "org-fieldset org-titles" }, el("legend", { i18n: "organise.title_legend" }), ...rows);
  return {
    el: root,
    read: () => Object.fromEntries([...inputs].map(([lang, input]) => [lang, input.value])),
    write(fields) {
      for (const [lang, input] of inputs) input.value = fields?.[lang] ?? "";
    },
    focus: () => inputs.values().next().value?.focus(),
  };
}

/** The zone a reader most likely types times in: Ulaanbaatar's for a Mongolian reader. */
export function defaultZone(lang = getLang()) {
  return lang === "mn" ? "ULAT" : "JST";
}

/** A fieldset: the zone, then start and end as date + time; ids `${prefix}-starts-date`... */
export function createSlotFields(prefix) {
  const zoneId = `${prefix}-zone`;
  const zone = el("select", { id: zoneId, className: "org-zone" });
  for (const { label, city } of ZONES) zone.append(el("option", { props: { value: label }, data: { city }, text: label }));
  const part = (which, kind) => {
    const id = `${prefix}-${which}-${kind}`;
    const input = el("input", { id, attrs: { type: kind, ...(kind === "time" ? { step: 300 } : {}) } });
    return { id, input, row: el("div", { className: "org-field" }, el("label", { attrs: { for: id }, i18n: `organise.${which}_${kind}` }), input) };
  };
  const fields = { starts: { date: part("starts", "date"), time: part("starts", "time") }, ends: { date: part("ends", "date"), time: part("ends", "time") } };
  let shown = defaultZone();
  zone.value = shown;
  const value = (which) => ({ date: fields[which].date.input.value, time: fields[which].time.input.value });
  const put = (which, v) => {
    fields[which].date.input.value = v?.date ?? "";
    fields[which].time.input.value = v?.time ?? "";
  };
  // A new zone keeps the moment: 10:00 JST becomes 09:00 ULAT, not 10:00 ULAT.
  zone.addEventListener("change", () => {
    for (const which of ["starts", "ends"]) put(which, convertLocal(value(which), shown, zone.value));
    shown = zone.value;
  });
  const root = el(
    "fieldset",
    { className: "org-fieldset org-slot" },
    el("legend", { i18n: "organise.slot_legend" }),
    el("div", { className: "org-field org-zone-field" }, el("label", { attrs: { for: zoneId }, i18n: "organise.zone" }), zone),
    el("div", { className: "org-slot-grid" }, fields.starts.date.row, fields.starts.time.row, fields.ends.date.row, fields.ends.time.row),
  );
  return {
    el: root,
    zone: () => zone.value,
    read: () => ({ starts: value("starts"), ends: value("ends") }),
    /** slot: {starts, ends} as {date, time} in `inZone`. */
    write(slot, inZone) {
      zone.value = inZone;
      shown = inZone;
      put("starts", slot?.starts);
      put("ends", slot?.ends);
    },
    clear() {
      put("starts", null);
      put("ends", null);
    },
  };
}

/** A labelled read-only field holding a link, with a copy button beside it. */
export function createLinkField(id, labelKey, onCopy) {
  const input = el("input", { id, className: "org-link", attrs: { type: "text", readonly: true, spellcheck: "false" } });
  input.addEventListener("focus", () => input.select());
  const copy = el("button", { className: "org-copy", i18n: "organise.copy", attrs: { type: "button", "data-action": "copy" } });
  copy.addEventListener("click", () => onCopy(input));
  const label = el("label", { attrs: { for: id }, i18n: labelKey });
  return {
    el: el("div", { className: "org-link-field" }, label, el("div", { className: "org-link-row" }, input, copy)),
    input,
    copy,
    set(url, copyName) {
      if (input.value !== url) input.value = url;
      copy.setAttribute("aria-label", copyName ?? t("organise.copy"));
    },
  };
}
