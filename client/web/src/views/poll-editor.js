// The moderator's poll form: a new draft, or an existing draft being edited (poll.edit).
// Title, kind, the options (single and multi), "hide results until closed", "show each
// participant the results once they vote", and a timer that closes the poll by itself.
// The title and each option have a field per language (issue 14): the interface
// language's always shown, the other two behind "Other languages" (a button with
// aria-expanded); lang-fields.js decides what is sent (a string or a language map).
// Moderator-only: moderator.js hands it to the polls section, so participants never load it.
//
// Stable selectors (tests): #poll-create-title (the title in the interface language),
// #poll-create-kind, .poll-option-input (each option in the interface language),
// #poll-other-langs, input[data-lang] in .poll-title-fields and in each .poll-option-row,
// #poll-add-option, button.poll-remove-option, #poll-hide-results, #poll-hide-until-voted,
// #poll-timer, #poll-create-submit,
// #poll-edit-cancel, #poll-form-error; the form's data-editing holds the poll being edited.

import { el, setAttr, setText } from "../dom.js";
import { getLang, langName, t } from "../i18n.js";
import { checkLangDraft, fieldOrder, fieldsOf, otherFilled } from "../lang-fields.js";
import { CHOICE_KINDS, durationText, KINDS, MAX_OPTIONS, MIN_OPTIONS, OPTION_MAX, TIMERS, TITLE_MAX } from "../polls.js";
import { createLangInputs } from "./poll-lang-inputs.js";

/** submit(fields, pollId) sends poll.create (pollId null) or poll.edit. */
export function createPollEditor({ submit }) {
  const heading = el("h3", { id: "title-poll-form", i18n: "poll.new" });
  const title = createLangInputs({ max: TITLE_MAX, mainId: "poll-create-title" });
  title.others.id = "poll-title-others";
  const otherLangs = el("button", {
    id: "poll-other-langs",
    className: "poll-other-langs link-button",
    attrs: { type: "button", "aria-expanded": "false", "aria-controls": "poll-title-others poll-options" },
    on: {
      click: () => {
        expanded = !expanded;
        refresh();
      },
    },
  });
  const kindSelect = el(
    "select",
    { id: "poll-create-kind" },
    ...KINDS.map((kind) => el("option", { i18n: `poll.kind.${kind}`, attrs: { value: kind } })),
  );
  const optionList = el("ol", { id: "poll-options", className: "poll-options-editor" });
  const addOption = el("button", {
    id: "poll-add-option",
    i18n: "poll.add_option",
    attrs: { type: "button" },
    on: {
      click: () => {
        const row = addRow();
        refresh();
        row?.text.inputs[getLang()]?.focus();
      },
    },
  });
  const optionsBlock = el(
    "fieldset",
    { className: "poll-options-block" },
    el("legend", { i18n: "poll.options_label" }),
    optionList,
    addOption,
  );
  const hide = el("input", { id: "poll-hide-results", attrs: { type: "checkbox" } });
  const hideUntilVoted = el("input", { id: "poll-hide-until-voted", attrs: { type: "checkbox" } });
  const timerOptions = [null, ...TIMERS].map((seconds) => el("option", { attrs: { value: seconds ?? "" } }));
  const timerSelect = el("select", { id: "poll-timer" }, ...timerOptions);
  const error = el("p", { id: "poll-form-error", className: "form-error", attrs: { role: "alert" } });
  const submitButton = el("button", { id: "poll-create-submit", className: "primary", i18n: "poll.create", attrs: { type: "submit" } });
  const cancel = el("button", { id: "poll-edit-cancel", i18n: "poll.cancel", attrs: { type: "button" }, on: { click: () => reset() } });
  const form = el(
    "form",
    { id: "poll-form", className: "card poll-form", attrs: { novalidate: true, "aria-labelledby": "title-poll-form" } },
    heading,
    el("label", { attrs: { for: "poll-create-title" }, i18n: "poll.title_label" }),
    el("div", { className: "poll-title-fields" }, title.main, otherLangs, title.others),
    el("label", { attrs: { for: "poll-create-kind" }, i18n: "poll.kind_label" }),
    kindSelect,
    optionsBlock,
    el("label", { className: "check", attrs: { for: "poll-hide-results" } }, hide, el("span", { i18n: "poll.hide_results" })),
    el("label", { className: "check", attrs: { for: "poll-hide-until-voted" } }, hideUntilVoted, el("span", { i18n: "poll.hide_until_voted" })),
    el("label", { attrs: { for: "poll-timer" }, i18n: "poll.timer_label" }),
    timerSelect,
    error,
    el("div", { className: "button-row" }, submitButton, cancel),
  );
  let editing = null; // poll_id of the draft being edited
  let expanded = false; // "Other languages" open
  let rows = []; // [{el, text, remove}] in order

  function addRow(fields) {
    if (rows.length >= MAX_OPTIONS) return null;
    const text = createLangInputs({ max: OPTION_MAX, mainClass: "poll-option-input", otherClass: "poll-option-other" });
    if (fields) text.fill(fields);
    const remove = el("button", {
      className: "poll-remove-option link-button",
      attrs: { type: "button" },
      on: {
        click: () => {
          row.el.remove();
          rows = rows.filter((r) => r !== row);
          refresh();
        },
      },
    });
    const row = { el: el("li", { className: "poll-option-row" }, text.main, remove, text.others), text, remove };
    rows.push(row);
    optionList.append(row.el);
    return row;
  }

  function setOptions(list) {
    optionList.replaceChildren();
    rows = [];
    for (const fields of list) addRow(fields);
    while (rows.length < MIN_OPTIONS) addRow(null);
  }

  /** The fields' languages follow the interface language; nothing typed moves or goes. */
  function arrangeTexts() {
    const lang = getLang();
    const inLang = (field, code) => t("poll.text_in_lang", { field, lang: langName(code) });
    const titleLabel = t("poll.title_label");
    title.arrange(lang, { label: (code, isMain) => (isMain ? null : inLang(titleLabel, code)), placeholder: t("poll.title_placeholder"), expanded });
    rows.forEach((row, i) => {
      const field = t("poll.option_label", { n: i + 1 });
      row.text.arrange(lang, { label: (code, isMain) => (isMain ? field : inLang(field, code)), placeholder: t("poll.option_placeholder", { n: i + 1 }), expanded });
    });
    const others = fieldOrder(lang).slice(1).map((code) => t(`lang.${code}`)).join(", ");
    const filled = expanded ? 0 : otherFilled([title.values(), ...rows.map((row) => row.text.values())], lang);
    setText(otherLangs, t(filled ? "poll.other_langs_filled" : "poll.other_langs", { langs: others, n: filled }));
    setAttr(otherLangs, "aria-expanded", expanded ? "true" : "false");
    setAttr(form, "data-other-langs", expanded ? "shown" : null);
  }

  /** Labels and the buttons' states follow the rows and the language. */
  function refresh() {
    arrangeTexts();
    rows.forEach(({ remove }, i) => {
      setText(remove, t("poll.remove_option"));
      setAttr(remove, "aria-label", t("poll.remove_option_label", { n: i + 1 }));
      remove.disabled = rows.length <= MIN_OPTIONS;
    });
    addOption.disabled = rows.length >= MAX_OPTIONS;
    // A custom timer loaded from a draft (another client's) shows as itself.
    const custom = timerSelect.dataset.custom;
    if (custom && !timerOptions.some((o) => o.value === custom)) {
      const option = el("option", { attrs: { value: custom } });
      timerOptions.push(option);
      timerSelect.append(option);
    }
    for (const option of timerOptions) {
      setText(option, option.value ? t("poll.timer_option", { time: durationText(Number(option.value), getLang()) }) : t("poll.timer_none"));
    }
    hideUntilVoted.disabled = hide.checked;
    optionsBlock.hidden = !CHOICE_KINDS.includes(kindSelect.value);
    setText(heading, t(editing ? "poll.edit_heading" : "poll.new"));
    setText(submitButton, t(editing ? "poll.save" : "poll.create"));
    cancel.hidden = !editing;
    setAttr(form, "data-editing", editing);
    error.hidden = !error.textContent;
  }

  function showError(key, lang = null) {
    setText(error, errorText(key, lang));
    setAttr(error, "data-key", key);
    setAttr(error, "data-lang", lang);
    error.hidden = !key;
  }

  /** A limit broken in a language names it: "…(Japanese)". */
  function errorText(key, lang) {
    if (!key) return "";
    return lang && lang !== getLang() ? t("poll.error_in_lang", { error: t(key), lang: langName(lang) }) : t(key);
  }

  function reset() {
    editing = null;
    title.fill();
    kindSelect.value = "single";
    hide.checked = false;
    hideUntilVoted.checked = false;
    timerSelect.dataset.custom = "";
    timerSelect.value = "";
    setOptions([]);
    showError(null);
    refresh();
  }

  /** Loads a draft into the form for editing. */
  function edit(poll) {
    editing = poll.poll_id;
    // The texts as sent (strings or maps), every language of them, not the reader's.
    const texts = poll.texts ?? { title: poll.title, options: poll.options };
    const lang = getLang();
    const titleFields = fieldsOf(texts.title, lang);
    const optionFields = (texts.options ?? []).map((option) => fieldsOf(option, lang));
    title.fill(titleFields);
    if (otherFilled([titleFields, ...optionFields], lang)) expanded = true;
    kindSelect.value = poll.kind;
    hide.checked = Boolean(poll.hide_results);
    hideUntilVoted.checked = Boolean(poll.hide_until_voted);
    timerSelect.dataset.custom = poll.seconds ? String(poll.seconds) : "";
    setOptions(optionFields);
    showError(null);
    refresh();
    timerSelect.value = poll.seconds ? String(poll.seconds) : "";
    form.scrollIntoView?.({ block: "nearest" });
    title.inputs[lang].focus();
  }

  /** Takes the moderator to the field that broke a limit (opening "Other languages"). */
  function focusError({ lang, index }) {
    if (!lang) return;
    const text = index == null ? title : rows[index]?.text;
    if (lang !== getLang() && !expanded) {
      expanded = true;
      refresh();
    }
    text?.inputs[lang]?.focus();
  }

  kindSelect.addEventListener("change", refresh);
  hide.addEventListener("change", refresh);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const checked = checkLangDraft({
      title: title.values(),
      kind: kindSelect.value,
      options: rows.map((row) => row.text.values()),
      hideResults: hide.checked,
      hideUntilVoted: hideUntilVoted.checked && !hide.checked,
      seconds: timerSelect.value,
    });
    if (checked.error) {
      showError(checked.error, checked.lang);
      focusError(checked);
      return;
    }
    submit(checked.fields, editing);
    reset();
  });

  /** The draft being edited was opened meanwhile (or is gone): back to a new poll. */
  function update(store) {
    if (editing && store.polls.get(editing)?.status !== "draft") reset();
    else refresh();
    if (error.dataset.key) setText(error, errorText(error.dataset.key, error.dataset.lang || null));
  }

  reset();
  return { el: form, edit, update };
}
