// One room of the programme on the organiser page (issue 15): its title in the reader's
// language, code, slot in JST and ULAT, participant link with a copy button and its QR code,
// the handout, open/close, archive, the room's defaults, rename and reschedule, and moves in
// the order.
// Patched in place on every refresh (every 10 s): a form being typed in is left alone.
//
// Stable selectors (tests): li.org-room[data-code] in #org-rooms; buttons by data-action
// (toggle-state, toggle-archive, move-up, move-down, copy, save, cancel); settings
// checkboxes #org-CODE-set-<field>; the edit form #org-CODE-edit.

import { el, setAttr, setText } from "../dom.js";
import { getLang, t } from "../i18n.js";
import { textIn } from "../lang-text.js";
import { formatSlot } from "../programme.js";
import { formOf, patchBody } from "../programme-edit.js";
import { roomPath } from "../route.js";
import { createLinkField, createSlotFields, createTitleFields, defaultZone } from "./organise-fields.js";

const SETTINGS = [
  { field: "premoderation", key: "settings.premoderation" },
  { field: "anonymous_allowed", key: "settings.anonymous" },
  { field: "notes_locked", key: "settings.notes_locked" },
];

const button = (action, extra = {}) => el("button", { ...extra, attrs: { type: "button", "data-action": action, ...(extra.attrs || {}) } });

/** actions: {patch(code, body, successKey), move(code, delta), copy(input)}. */
export function createRoomCard(code, langs, actions) {
  const prefix = `org-${code}`;
  let room = null;
  const title = el("h3", { id: `${prefix}-title`, className: "org-room-title" });
  const codeText = el("span", { className: "org-room-code", text: code });
  const state = el("span", { className: "badge org-room-state" });
  const present = el("span", { className: "org-room-present" });
  const slot = el("p", { className: "org-room-slot" });
  const link = createLinkField(`${prefix}-link`, "organise.participant_link", (input) => actions.copy(input));
  const qr = el("img", { className: "org-qr", attrs: { src: `/api/rooms/${encodeURIComponent(code)}/qr.svg`, width: 88, height: 88, loading: "lazy" } });
  const handout = el("a", { className: "org-handout", i18n: "organise.handout", attrs: { href: roomPath(code, "handout"), target: "_blank", rel: "noopener" } });

  const toggleState = button("toggle-state");
  toggleState.addEventListener("click", () => {
    const closing = room.state === "open";
    actions.patch(code, { state: closing ? "closed" : "open" }, closing ? "organise.done.closed" : "organise.done.opened");
  });
  const toggleArchive = button("toggle-archive");
  toggleArchive.addEventListener("click", () => {
    const archiving = !room.archived;
    actions.patch(code, { archived: archiving }, archiving ? "organise.done.archived" : "organise.done.unarchived");
  });
  const up = button("move-up", { className: "org-move", text: "↑" });
  const down = button("move-down", { className: "org-move", text: "↓" });
  up.addEventListener("click", () => actions.move(code, -1));
  down.addEventListener("click", () => actions.move(code, 1));

  const boxes = SETTINGS.map(({ field, key }) => {
    const id = `${prefix}-set-${field}`;
    const input = el("input", { id, attrs: { type: "checkbox", "data-field": field } });
    input.addEventListener("change", () => actions.patch(code, { settings: { [field]: input.checked } }, "organise.done.settings"));
    return { field, input, row: el("label", { className: "check", attrs: { for: id } }, input, el("span", { i18n: key })) };
  });

  // Rename and reschedule: a disclosure, filled from the room each time it opens.
  const titles = createTitleFields(prefix, langs);
  const slotFields = createSlotFields(prefix);
  const formError = el("p", { className: "form-error", attrs: { role: "alert" } });
  formError.hidden = true;
  const save = el("button", { className: "primary", i18n: "organise.save", attrs: { type: "submit", "data-action": "save" } });
  const cancel = button("cancel", { i18n: "organise.cancel" });
  const form = el("form", { id: `${prefix}-edit`, className: "org-edit", attrs: { novalidate: true } }, titles.el, slotFields.el, formError, el("div", { className: "button-row" }, save, cancel));
  const summary = el("summary", { i18n: "organise.edit" });
  const details = el("details", { className: "org-edit-details" }, summary, form);
  const fill = () => {
    const zone = slotFields.zone() || defaultZone();
    const values = formOf(room, zone, langs);
    titles.write(values.title);
    slotFields.write(values, zone);
    formError.hidden = true;
  };
  // On the click that opens it, not on "toggle", which comes a task later: by then the
  // organiser may have typed already.
  summary.addEventListener("click", () => details.open || fill());
  cancel.addEventListener("click", () => {
    details.open = false;
  });
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const result = patchBody(room, { title: titles.read(), ...slotFields.read() }, slotFields.zone(), langs);
    if (result.error) {
      setText(formError, t(result.error));
      formError.hidden = false;
      return;
    }
    formError.hidden = true;
    if (Object.keys(result.body).length === 0) {
      details.open = false;
      return actions.say("organise.done.nothing");
    }
    save.disabled = true;
    const ok = await actions.patch(code, result.body, "organise.done.saved");
    save.disabled = false;
    if (ok) details.open = false;
  });

  const root = el(
    "li",
    { className: "org-room card", data: { code }, attrs: { "aria-labelledby": `${prefix}-title` } },
    el("div", { className: "org-room-head" }, title, el("div", { className: "org-room-meta" }, codeText, state, present)),
    slot,
    link.el,
    el("div", { className: "org-room-links" }, qr, handout),
    el("div", { className: "button-row org-room-actions" }, toggleState, toggleArchive, el("span", { className: "org-move-group" }, up, down)),
    el("fieldset", { className: "org-fieldset org-defaults" }, el("legend", { i18n: "organise.defaults" }), ...boxes.map((b) => b.row)),
    details,
  );

  /** room: as GET .../organise lists it; at: {index, count}; origin: this page's. */
  function update(next, { index, count, origin }) {
    room = next;
    const name = textIn(room.title) || code;
    setText(title, name);
    setAttr(root, "data-state", room.archived ? "archived" : room.state);
    setText(state, t(room.archived ? "state.archived" : `state.${room.state}`));
    setText(present, t("header.presence", { n: room.present ?? 0 }));
    const when = formatSlot(room, getLang());
    setText(slot, when || t("organise.no_slot"));
    const url = new URL(room.url || roomPath(code), origin).href;
    link.set(url, t("organise.copy_link_of", { title: name }));
    qr.setAttribute("alt", t("handout.qr_alt", { url }));
    handout.setAttribute("aria-label", t("organise.handout_of", { title: name }));
    setText(toggleState, t(room.state === "open" ? "organise.close_room" : "organise.open_room"));
    toggleState.className = room.state === "open" ? "danger" : "";
    setText(toggleArchive, t(room.archived ? "organise.unarchive" : "organise.archive"));
    up.disabled = index === 0;
    down.disabled = index === count - 1;
    up.setAttribute("aria-label", t("organise.move_up", { title: name }));
    down.setAttribute("aria-label", t("organise.move_down", { title: name }));
    for (const { field, input } of boxes) input.checked = Boolean(room.settings?.[field]);
    summary.setAttribute("aria-label", t("organise.edit_of", { title: name }));
  }

  return { el: root, update };
}
