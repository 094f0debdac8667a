// The moderator's room settings: premoderation, anonymous questions, notes lock, and
// closing / reopening the room. A change shows at once (from the outbox) and settles when
// the room.settings / room.state event arrives; a refused one falls back to the room's.

import { el, setText } from "../dom.js";
import { t } from "../i18n.js";
import { roomPath } from "../route.js";

const TOGGLES = [
  { id: "set-premoderation", field: "premoderation", key: "settings.premoderation" },
  { id: "set-anonymous", field: "anonymous_allowed", key: "settings.anonymous" },
  { id: "set-notes-locked", field: "notes_locked", key: "settings.notes_locked" },
];

/** What the settings and state will be once the queued commands land. Pure. */
export function intendedSettings(settings, roomState, entries) {
  const result = { settings: { ...settings }, state: roomState };
  for (const e of entries) {
    if (e.t === "settings") {
      for (const { field } of TOGGLES) if (typeof e.fields[field] === "boolean") result.settings[field] = e.fields[field];
    }
    if (e.t === "room.close") result.state = "closed";
    if (e.t === "room.open") result.state = "open";
  }
  return result;
}

export function createSettingsPanel({ code, commands }) {
  const boxes = TOGGLES.map(({ id, field, key }) => {
    const input = el("input", { id, attrs: { type: "checkbox" } });
    input.addEventListener("change", () => commands.send("settings", { [field]: input.checked }).catch(() => {}));
    return { field, input, row: el("label", { className: "check", attrs: { for: id } }, input, el("span", { i18n: key })) };
  });
  const stateText = el("p", { id: "room-state", className: "room-state" });
  const close = el("button", {
    id: "room-close",
    className: "danger",
    i18n: "settings.close",
    props: { type: "button" },
    on: { click: () => commands.send("room.close", {}).catch(() => {}) },
  });
  const open = el("button", {
    id: "room-open",
    i18n: "settings.open",
    props: { type: "button" },
    on: { click: () => commands.send("room.open", {}).catch(() => {}) },
  });
  const presenterHref = roomPath(code, "presenter");
  const links = el(
    "p",
    { className: "mod-links" },
    el("a", { id: "presenter-link", i18n: "mod.presenter_link", attrs: { href: presenterHref, target: "_blank", rel: "noopener" } }),
    el("a", { id: "participant-link", i18n: "mod.participant_link", attrs: { href: roomPath(code), target: "_blank", rel: "noopener" } }),
  );
  const root = el(
    "section",
    { id: "settings", className: "card settings", attrs: { "aria-labelledby": "title-settings" } },
    el("h2", { id: "title-settings", i18n: "settings.heading" }),
    ...boxes.map((b) => b.row),
    stateText,
    el("div", { className: "button-row" }, close, open),
    links,
  );

  function update(store, entries) {
    const intended = intendedSettings(store.settings, store.roomState, entries);
    for (const { field, input } of boxes) input.checked = Boolean(intended.settings[field]);
    setText(stateText, t("settings.state", { state: t(`state.${intended.state}`) }));
    close.disabled = intended.state !== "open";
    open.disabled = intended.state === "open";
  }

  return { el: root, update };
}
