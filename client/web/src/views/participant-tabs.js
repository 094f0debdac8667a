// The participant page's sections as tabs on a phone and side by side on a wide screen
// (issue 13: below 1024 px the ask box stays on top and Q&A, Polls and Notes become an
// ARIA tablist; from 1024 px every section shows at once and the tablist is hidden).
// Tabs follow the WAI-ARIA Authoring Practices: roving tabindex, Left/Right/Home/End move
// and select, each tab controls one tabpanel labelled by it.

import { el, setAttr, setText } from "../dom.js";
import { session } from "../storage.js";

export const WIDE_QUERY = "(min-width: 1024px)";
const TAB_KEY = "workshop.participant.tab";

/**
 * sections: [{id, i18n, panel}] in tab order; panel is the element shown for it.
 * Returns {el (the tablist), badge(id, text, label), render()}.
 */
export function createSectionTabs(sections) {
  const media = globalThis.matchMedia ? globalThis.matchMedia(WIDE_QUERY) : null;
  const stored = session().get(TAB_KEY);
  let selected = sections.some((s) => s.id === stored) ? stored : sections[0].id;
  const tabs = new Map();

  for (const section of sections) {
    const badge = el("span", { className: "tab-badge", attrs: { hidden: true } });
    // What the badge counts, for screen readers: a description, so the tab's name stays
    // its visible text (axe: label-content-name-mismatch).
    const about = el("span", { id: `tab-${section.id}-about`, className: "sr-only" });
    const tab = el(
      "button",
      {
        id: `tab-${section.id}`,
        className: "section-tab",
        data: { section: section.id },
        attrs: { type: "button", role: "tab", "aria-controls": section.panel.id },
        on: { click: () => select(section.id, false) },
      },
      el("span", { className: "tab-label", i18n: section.i18n }),
      badge,
      about,
    );
    tabs.set(section.id, { tab, badge, about, panel: section.panel });
  }
  const list = el("div", { id: "participant-tabs", className: "section-tabs", i18nLabel: "part.sections", attrs: { role: "tablist" } }, [...tabs.values()].map((x) => x.tab));

  list.addEventListener("keydown", (e) => {
    const ids = [...tabs.keys()];
    const at = ids.indexOf(selected);
    const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: ids.length - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    select(ids[(to + ids.length) % ids.length], true);
  });

  function select(id, focus) {
    selected = id;
    session().set(TAB_KEY, id);
    render();
    if (focus) tabs.get(id).tab.focus();
  }

  /** A count on a tab (text null: none) and what it counts (its description). */
  function badge(id, text, description) {
    const entry = tabs.get(id);
    if (!entry) return;
    setText(entry.badge, text ?? "");
    entry.badge.hidden = text == null;
    setText(entry.about, text == null ? "" : description);
    setAttr(entry.tab, "aria-describedby", text == null ? null : entry.about.id);
  }

  function render() {
    const wide = Boolean(media?.matches);
    list.hidden = wide;
    for (const [id, { tab, panel }] of tabs) {
      const on = id === selected;
      setAttr(tab, "aria-selected", on ? "true" : "false");
      setAttr(tab, "tabindex", on ? "0" : "-1");
      // Wide: plain sections, all shown. Narrow: one tabpanel at a time.
      setAttr(panel, "role", wide ? null : "tabpanel");
      setAttr(panel, "aria-labelledby", wide ? null : tab.id);
      setAttr(panel, "data-tab", wide ? null : on ? "selected" : "hidden");
      panel.hidden = !wide && !on;
    }
  }

  media?.addEventListener?.("change", render);
  render();
  return { el: list, badge, render, selected: () => selected };
}
