// The room settings in a drawer (issue 13), out of the console's flow: a modal <dialog>
// on the right holding the settings panel (settings-panel.js) and this device's own
// choices (the chime). Escape or "Close" closes it; focus returns to the opener.

import { el } from "../dom.js";
import { t } from "../i18n.js";

/** panel: the settings panel's element; deviceRows: elements for "This device". */
export function createSettingsDrawer(panel, deviceRows) {
  const close = el("button", { className: "dialog-close", i18n: "mod.close", attrs: { type: "button", "data-action": "close-settings" } });
  const dialog = el(
    "dialog",
    { id: "settings-drawer", className: "console-dialog drawer", attrs: { "aria-labelledby": "title-settings" } },
    el("div", { className: "dialog-head" }, close),
    panel,
    el(
      "section",
      { className: "card device-settings", attrs: { "aria-labelledby": "title-device" } },
      el("h2", { id: "title-device", i18n: "mod.device" }),
      ...deviceRows,
    ),
  );
  close.addEventListener("click", () => dialog.close());
  // A click on the backdrop (outside the drawer's box) closes it too.
  dialog.addEventListener("click", (e) => {
    if (e.target !== dialog) return;
    const box = dialog.getBoundingClientRect();
    const inside = e.clientX >= box.left && e.clientX <= box.right && e.clientY >= box.top && e.clientY <= box.bottom;
    if (!inside) dialog.close();
  });
  const opener = el("button", {
    id: "settings-open",
    className: "console-tool",
    attrs: { type: "button", "aria-haspopup": "dialog", "aria-controls": "settings-drawer" },
    on: { click: () => dialog.showModal() },
  });
  // A gear on a phone's tab bar (room for the tabs in Mongolian), "Room settings" on a
  // desktop; its name is "Room settings" on both.
  opener.append(
    el("span", { className: "label-long", i18n: "mod.settings_open" }),
    el("span", { className: "label-short", text: "⚙", attrs: { "aria-hidden": "true" } }),
  );
  opener.dataset.i18nLabel = "mod.settings_open";
  opener.setAttribute("aria-label", t("mod.settings_open"));
  opener.dataset.i18nTitle = "mod.settings_open";
  opener.setAttribute("title", t("mod.settings_open"));
  return { dialog, opener };
}
