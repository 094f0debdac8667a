// The moderator console (issue 13). Desktop (>= 1024 px): panes side by side — the queue
// (console-queue.js), the current question and what comes next with the notes under it,
// and the polls; phone: one pane at a time behind tabs (Queue / Now / Polls / Notes).
// Room settings live in a drawer (console-drawer.js), shortcuts in console-keys.js, the
// favicon badge and chime in console-alerts.js. The rapporteur gets the same queues
// read-only, with the transcript downloads where the chair has the flow controls.

import { el, setAttr, setText } from "../dom.js";
import { t } from "../i18n.js";
import { cityLine } from "../cities.js";
import { presenceLine } from "../organisations.js";
import { createPendingAlerts } from "./console-alerts.js";
import { createSettingsDrawer } from "./console-drawer.js";
import { createHelpDialog, listenForShortcuts } from "./console-keys.js";
import { createQueuePane } from "./console-queue.js";
import { gist } from "./question-item.js";
import { createNextBar } from "./next-bar.js";
import { createNotesEditor } from "./notes-editor.js";
import { createPinned } from "./pinned.js";
import { createPollEditor } from "./poll-editor.js";
import { createPollsSection } from "./polls.js";
import { makeViewFor, questionHandlers } from "./question-view.js";
import { createSettingsPanel } from "./settings-panel.js";
import { createTranscriptPanel } from "./transcript.js";

// The room page's notes client comes with the view (room.js): one chunk fewer to fetch.
export { NotesSync } from "../notes.js";

const PANES = ["queue", "now", "polls", "notes"];

/** The phone's tabs over the panes; on a desktop CSS shows every pane and hides these. */
function createPaneTabs(panes) {
  let active = "queue";
  const tabs = PANES.filter((name) => panes[name]).map((name) =>
    el("button", {
      id: `pane-tab-${name}`,
      className: "pane-tab",
      data: { pane: name },
      attrs: { type: "button", role: "tab", "aria-controls": `pane-${name}` },
    }),
  );
  const bar = el("div", { className: "pane-tabs", attrs: { role: "tablist" }, i18nLabel: "mod.panes" }, ...tabs);
  function show(name) {
    active = name;
    for (const tab of tabs) {
      const on = tab.dataset.pane === active;
      setAttr(tab, "aria-selected", on ? "true" : "false");
      setAttr(tab, "tabindex", on ? "0" : "-1");
    }
    for (const [key, pane] of Object.entries(panes)) if (pane) setAttr(pane, "data-active", key === active ? "true" : null);
  }
  bar.addEventListener("click", (e) => {
    const tab = e.target.closest("[role=tab]");
    if (tab) show(tab.dataset.pane);
  });
  bar.addEventListener("keydown", (e) => {
    const step = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
    if (!step) return;
    e.preventDefault();
    e.stopPropagation();
    const i = (tabs.findIndex((tab) => tab.dataset.pane === active) + step + tabs.length) % tabs.length;
    show(tabs[i].dataset.pane);
    tabs[i].focus();
  });
  function update(pending) {
    for (const tab of tabs) {
      const name = tab.dataset.pane;
      setText(tab, name === "queue" && pending > 0 ? t("mod.pane.queue_count", { n: pending }) : t(`mod.pane.${name}`));
    }
  }
  show(active);
  return { el: bar, update, show };
}

/** ctx: {code, store, commands, outbox, key, notice, notes}; readOnly (the questions) for the
 * rapporteur, who still edits the notes like any participant. */
export function createModeratorView({ code, store, commands, outbox, key, notice, notes }, { readOnly = false } = {}) {
  const handlers = questionHandlers(commands);
  const queue = createQueuePane({ handlers, readOnly });
  const pinned = createPinned();
  const nothingPinned = el("p", { className: "hint nothing-pinned", i18n: readOnly ? "pinned.none" : "mod.nothing_pinned" });
  const markAnswered = readOnly
    ? null
    : el("button", {
        id: "mark-answered",
        className: "mark-answered",
        i18n: "mod.mark_answered",
        attrs: { type: "button", "data-action": "answered" },
        on: { click: () => answerPinned() },
      });
  const nextBar = readOnly ? null : createNextBar({ store, commands });
  const transcript = readOnly ? createTranscriptPanel({ code, key, notice }) : null;
  const settings = readOnly ? null : createSettingsPanel({ code, commands });
  const alerts = readOnly ? null : createPendingAlerts();
  const drawer = settings ? createSettingsDrawer(settings.el, [alerts.toggle]) : null;
  const help = readOnly ? null : createHelpDialog();
  const helpOpen = help
    ? el("button", {
        id: "help-open",
        className: "console-tool",
        attrs: { type: "button", "aria-haspopup": "dialog", "aria-controls": "shortcut-help", "aria-keyshortcuts": "?" },
        on: { click: () => help.showModal() },
      }, el("span", { i18n: "mod.help_open" }), el("kbd", { text: "?", attrs: { "aria-hidden": "true" } }))
    : null;
  const polls = createPollsSection({ store, commands, outbox, mode: readOnly ? "rapporteur" : "moderator", createEditor: createPollEditor });
  const notesEditor = notes ? createNotesEditor({ notes, store }) : null;
  // Who is here (issue 14): per organisation of the registry, once whatever language it
  // was picked in, and per city, as the projector shows it.
  const presence = el("p", { id: "mod-presence", className: "hint mod-presence" });
  const cities = el("p", { id: "mod-cities", className: "hint mod-presence" });

  // The queue and the polls scroll on their own on a desktop: focusable, so the keyboard
  // can scroll them too (axe: scrollable-region-focusable).
  const SCROLLS = new Set(["queue", "polls"]);
  const pane = (name, ...children) =>
    el(
      "div",
      { id: `pane-${name}`, className: `console-pane pane-${name}`, i18nLabel: `mod.pane.${name}`, attrs: { role: "region", tabindex: SCROLLS.has(name) ? "0" : null } },
      ...children,
    );
  const panes = {
    queue: pane("queue", queue.el),
    now: pane(
      "now",
      el(
        "section",
        { id: "now", className: "card now", attrs: { "aria-labelledby": "title-now" } },
        el("h2", { id: "title-now", className: "sr-only", i18n: "mod.now_heading" }),
        pinned.el,
        nothingPinned,
        markAnswered,
      ),
      nextBar?.el,
      presence,
      cities,
      readOnly ? el("p", { className: "hint", i18n: "rap.intro" }) : null,
      transcript?.el,
    ),
    polls: pane("polls", polls.el),
    notes: notesEditor ? pane("notes", notesEditor.el) : null,
  };
  const tabs = createPaneTabs(panes);
  // The phone's pane tabs, then the drawer's opener (a "Settings" tab-like button there)
  // and the shortcuts; on a desktop only the two buttons show.
  const bar = el("div", { className: "console-bar" }, tabs.el, drawer?.opener, helpOpen);
  const root = el(
    "div",
    { className: `view moderator-view console${readOnly ? " console-readonly" : ""}`, i18nLabel: readOnly ? "rap.title" : "mod.console", attrs: { role: "region" } },
    bar,
    el("div", { className: "console-panes" }, ...Object.values(panes)),
    drawer?.dialog,
    help,
  );

  // The queue and polls panes stick below the room header, whatever its height (a long
  // room title wraps): its height goes to --console-top through the CSSOM (CSP-safe).
  const header = document.querySelector(".room-header");
  if (header && globalThis.ResizeObserver) {
    new ResizeObserver(() => {
      document.documentElement.style.setProperty("--console-top", `${Math.ceil(header.getBoundingClientRect().height)}px`);
    }).observe(header);
  }

  function answerPinned() {
    const q = store.pinnedQuestion();
    if (q) handlers.act(q.qid, "answered");
  }

  // Each shortcut does what its button does.
  function onSelected(fn) {
    const q = queue.selectedQuestion();
    if (q) fn(q);
  }
  if (!readOnly) {
    listenForShortcuts({
      down: () => queue.move(1),
      up: () => queue.move(-1),
      approve: () => onSelected((q) => q.status === "pending" && handlers.act(q.qid, "approve")),
      dismiss: () => onSelected((q) => (q.status === "pending" || q.status === "live") && handlers.act(q.qid, "dismiss")),
      pin: () =>
        onSelected((q) => {
          if (q.status !== "live" && q.status !== "answered") return;
          handlers.act(q.qid, store.pinned === q.qid ? "unpin" : "pin");
        }),
      next: () => {
        if (store.nextQuestion() || store.pinnedQuestion()) commands.send("moderate", { qid: null, action: "next" }).catch(() => {});
      },
      answered: () => answerPinned(),
      help: () => help.showModal(),
    });
  }

  function render() {
    const entries = outbox.entries();
    const pinnedQ = store.pinnedQuestion();
    pinned.update(store);
    nothingPinned.hidden = Boolean(pinnedQ);
    if (markAnswered) {
      markAnswered.hidden = !pinnedQ;
      setAttr(markAnswered, "aria-label", pinnedQ ? t("mod.mark_answered_for", { text: gist(pinnedQ.text) }) : null);
    }
    nextBar?.update();
    const here = store.presence.count;
    setText(presence, here ? t("part.presence", { n: here, orgs: presenceLine(store.presence.byOrg) || t("present.no_org") }) : "");
    const byCity = here ? cityLine(store.presence.byOrg, store.presence.byCity) : "";
    setText(cities, byCity ? t("presence.by_city", { cities: byCity }) : "");
    presence.hidden = !here;
    cities.hidden = !byCity;
    settings?.update(store, entries);
    transcript?.update(store, entries);
    polls.render();
    notesEditor?.render();
    queue.render(store, makeViewFor(store, entries, { moderator: !readOnly, readOnly }));
    const pending = store.questionsWith(["pending"]).length;
    tabs.update(pending);
    alerts?.update(pending);
  }

  return { el: root, render };
}

/** The rapporteur's view: the moderator's queues, read-only, and the transcript. */
export function createRapporteurView(ctx) {
  return createModeratorView(ctx, { readOnly: true });
}
