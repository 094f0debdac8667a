// The moderator's poll form: a new draft, or an existing draft being edited (poll.edit).
// Title, kind, the options (single and multi), "hide results until closed", "show each
// participant the results once they vote", and a timer that closes the poll by itself.
//
// Stable selectors (tests): #poll-create-title, #poll-create-kind, .poll-option-input,
// #poll-add-option, button.poll-remove-option, #poll-hide-results, #poll-hide-until-voted,
// #poll-timer, #poll-create-submit,
// #poll-edit-cancel, #poll-form-error; the form's data-editing holds the poll being edited.

import { el, setAttr, setText } from "../dom.js";
import { getLang, t } from "../i18n.js";
import { CHOICE_KINDS, checkDraft, durationText, KINDS, MAX_OPTIONS, MIN_OPTIONS, OPTION_MAX, TIMERS, TITLE_MAX } from "../polls.js";

/** submit(fields, pollId) sends poll.create (pollId null) or poll.edit. */
export function createPollEditor({ submit }) {
  const heading = el("h3", { id: "title-poll-form", i18n: "poll.new" });
  const titleInput = el("input", {
    id: "poll-create-title",
    i18nPlaceholder: "poll.title_placeholder",
    attrs: { type: "text", maxlength: TITLE_MAX, autocomplete: "off" },
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
        const input = addRow("");
        refresh();
        input?.focus();
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
    titleInput,
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

  function rows() {
    return [...optionList.querySelectorAll(".poll-option-input")];
  }

  function addRow(value) {
    if (rows().length >= MAX_OPTIONS) return null;
    const input = el("input", { className: "poll-option-input", attrs: { type: "text", maxlength: OPTION_MAX, autocomplete: "off" } });
    input.value = value;
    const remove = el("button", {
      className: "poll-remove-option link-button",
      attrs: { type: "button" },
      on: {
        click: () => {
          row.remove();
          refresh();
        },
      },
    });
    const row = el("li", { className: "poll-option-row" }, input, remove);
    optionList.append(row);
    return input;
  }

  function setOptions(values) {
    optionList.replaceChildren();
    for (const value of values) addRow(value);
    while (rows().length < MIN_OPTIONS) addRow("");
  }

  /** Labels and the buttons' states follow the rows and the language. */
  function refresh() {
    const list = rows();
    list.forEach((input, i) => {
      setAttr(input, "placeholder", t("poll.option_placeholder", { n: i + 1 }));
      setAttr(input, "aria-label", t("poll.option_label", { n: i + 1 }));
      const remove = input.parentElement.querySelector(".poll-remove-option");
      setText(remove, t("poll.remove_option"));
      setAttr(remove, "aria-label", t("poll.remove_option_label", { n: i + 1 }));
      remove.disabled = list.length <= MIN_OPTIONS;
    });
    addOption.disabled = list.length >= MAX_OPTIONS;
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

  function showError(key) {
    setText(error, key ? t(key) : "");
    setAttr(error, "data-key", key);
    error.hidden = !key;
  }

  function reset() {
    editing = null;
    titleInput.value = "";
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
    titleInput.value = poll.title;
    kindSelect.value = poll.kind;
    hide.checked = Boolean(poll.hide_results);
    hideUntilVoted.checked = Boolean(poll.hide_until_voted);
    timerSelect.dataset.custom = poll.seconds ? String(poll.seconds) : "";
    setOptions(poll.options);
    showError(null);
    refresh();
    timerSelect.value = poll.seconds ? String(poll.seconds) : "";
    form.scrollIntoView?.({ block: "nearest" });
    titleInput.focus();
  }

  kindSelect.addEventListener("change", refresh);
  hide.addEventListener("change", refresh);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const checked = checkDraft({
      title: titleInput.value,
      kind: kindSelect.value,
      options: rows().map((input) => input.value),
      hideResults: hide.checked,
      hideUntilVoted: hideUntilVoted.checked && !hide.checked,
      seconds: timerSelect.value,
    });
    if (checked.error) {
      showError(checked.error);
      return;
    }
    submit(checked.fields, editing);
    reset();
  });

  /** The draft being edited was opened meanwhile (or is gone): back to a new poll. */
  function update(store) {
    if (editing && store.polls.get(editing)?.status !== "draft") reset();
    else refresh();
    if (error.dataset.key) setText(error, t(error.dataset.key));
  }

  reset();
  return { el: form, edit, update };
}
