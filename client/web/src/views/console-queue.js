// The console's queue pane (issue 13): tabs Pending / Live / Answered / Dismissed /
// Withdrawn with counts, search (text, name, organisation), filters (language,
// organisation) and sort (votes, newest, oldest) over the store, and the selected
// question that the keyboard shortcuts act on. One keyed list per tab, so a question
// keeps its DOM (and an open editor) while it stays in its queue.

import { el, setAttr, setText } from "../dom.js";
import { t } from "../i18n.js";
import { moveIndex } from "../shortcuts.js";
import { facets, isFiltered, SORTS, triage } from "../triage.js";
import { createQuestionList } from "./question-list.js";

export const STATUSES = ["pending", "live", "answered", "dismissed", "withdrawn"];

function field(labelKey, control) {
  return el("label", { className: "triage-field" }, el("span", { className: "triage-label", i18n: labelKey }), control);
}

/** Keeps a <select>'s options equal to [value, label] pairs, and its value if still there. */
function setOptions(select, pairs) {
  const key = JSON.stringify(pairs);
  if (select.dataset.options === key) return;
  const value = select.value;
  select.dataset.options = key;
  select.replaceChildren(...pairs.map(([v, label]) => el("option", { text: label, attrs: { value: v } })));
  select.value = pairs.some(([v]) => v === value) ? value : "";
}

/** handlers: the question handlers; readOnly (the rapporteur): no selection buttons, as
 * there are no shortcuts to use it. Returns the pane's API. */
export function createQueuePane({ handlers, readOnly = false }) {
  let active = "pending";
  let chosen = false; // until the chair picks a tab, the console picks (see render)
  let selected = null; // qid the shortcuts act on
  let selectedIndex = -1; // where it was, so the next one takes over once it leaves
  let lastRender = null;

  const search = el("input", {
    id: "triage-search",
    className: "triage-search",
    i18nPlaceholder: "mod.search_placeholder",
    attrs: { type: "search", autocomplete: "off", enterkeyhint: "search" },
  });
  const langSelect = el("select", { id: "triage-lang" });
  const orgSelect = el("select", { id: "triage-org" });
  const sortSelect = el("select", { id: "triage-sort" });
  const clear = el("button", { id: "triage-clear", className: "link-button", i18n: "mod.clear_filters", attrs: { type: "button" } });
  const prev = el("button", { className: "select-move", data: { move: "up" }, i18nLabel: "mod.select_prev", attrs: { type: "button", "data-i18n-title": "mod.select_prev" }, text: "↑" });
  const next = el("button", { className: "select-move", data: { move: "down" }, i18nLabel: "mod.select_next", attrs: { type: "button", "data-i18n-title": "mod.select_next" }, text: "↓" });
  const triageBar = el(
    "div",
    { className: "triage", attrs: { role: "search" }, i18nLabel: "mod.triage" },
    el("div", { className: "triage-row triage-first" }, field("mod.search", search), readOnly ? null : el("span", { className: "select-moves" }, prev, next)),
    el("div", { className: "triage-row" }, field("mod.filter_lang", langSelect), field("mod.filter_org", orgSelect), field("mod.sort", sortSelect)),
    el("div", { className: "triage-row triage-tools" }, clear),
  );
  const tablist = el("div", { className: "queue-tabs", attrs: { role: "tablist" }, i18nLabel: "mod.queue_tabs" });
  const noMatch = el("p", { className: "empty no-match", i18n: "mod.no_match" });
  noMatch.hidden = true;
  const queues = STATUSES.map((status) => {
    const tab = el("button", {
      id: `tab-queue-${status}`,
      className: "queue-tab",
      data: { queue: status },
      attrs: { type: "button", role: "tab", "aria-controls": `section-${status}`, "aria-selected": "false", tabindex: "-1" },
    });
    tab.append(el("span", { className: "queue-tab-label" }), el("span", { className: "queue-tab-count" }));
    tablist.append(tab);
    const list = createQuestionList({ id: `queue-${status}`, emptyKey: "mod.empty", handlers, label: tab.id });
    const panel = el(
      "section",
      { id: `section-${status}`, className: `queue queue-${status}`, attrs: { role: "tabpanel", "aria-labelledby": tab.id } },
      list.el,
    );
    return { status, tab, list, panel, shown: [] };
  });

  const root = el(
    "section",
    { id: "questions", className: "questions console-queue", attrs: { "aria-labelledby": "title-questions" } },
    el("h2", { id: "title-questions", className: "sr-only", i18n: "questions.title" }),
    tablist,
    triageBar,
    noMatch,
    ...queues.map((q) => q.panel),
  );

  function filter() {
    return { query: search.value, lang: langSelect.value, org: orgSelect.value, sort: sortSelect.value || "queue" };
  }

  function select(status) {
    if (!STATUSES.includes(status)) return;
    chosen = true;
    active = status;
    selected = null;
    selectedIndex = -1;
    if (lastRender) render(...lastRender);
  }

  tablist.addEventListener("click", (e) => {
    const tab = e.target.closest("[role=tab]");
    if (tab) select(tab.dataset.queue);
  });
  // Arrow keys move between tabs (WAI-ARIA tabs pattern); the console's own arrow
  // shortcuts stay out of the tab list.
  tablist.addEventListener("keydown", (e) => {
    const step = { ArrowRight: 1, ArrowLeft: -1, Home: -99, End: 99 }[e.key];
    if (!step) return;
    e.preventDefault();
    e.stopPropagation();
    const i = moveIndex(STATUSES.indexOf(active), step, STATUSES.length);
    select(STATUSES[i]);
    queues[i].tab.focus();
  });
  for (const control of [search, langSelect, orgSelect, sortSelect]) {
    control.addEventListener(control === search ? "input" : "change", () => lastRender && render(...lastRender));
  }
  clear.addEventListener("click", () => {
    search.value = "";
    langSelect.value = orgSelect.value = sortSelect.value = "";
    if (lastRender) render(...lastRender);
  });
  prev.addEventListener("click", () => move(-1));
  next.addEventListener("click", () => move(1));
  // Clicking or tabbing into a question selects it for the shortcuts.
  root.addEventListener("focusin", (e) => {
    const item = e.target.closest?.("[data-qid]");
    if (item && root.contains(item)) mark(item.dataset.qid);
  });
  root.addEventListener("click", (e) => {
    const item = e.target.closest?.("[data-qid]");
    if (item && root.contains(item)) mark(item.dataset.qid);
  });

  function current() {
    return queues.find((q) => q.status === active);
  }

  function mark(qid) {
    selected = qid;
    const shown = current().shown;
    selectedIndex = shown.findIndex((q) => q.qid === qid);
    paintSelection();
  }

  function paintSelection() {
    for (const queue of queues) {
      for (const node of queue.panel.querySelectorAll("[data-qid]")) {
        const on = queue.status === active && node.dataset.qid === selected;
        setAttr(node, "data-selected", on ? "true" : null);
        setAttr(node, "tabindex", "-1");
      }
    }
  }

  /** Moves the selection by step in the shown list and focuses it. */
  function move(step) {
    const shown = current().shown;
    const i = moveIndex(selectedIndex, step, shown.length);
    if (i < 0) return;
    mark(shown[i].qid);
    const node = current().panel.querySelector(`[data-qid="${CSS.escape(shown[i].qid)}"]`);
    if (!node) return;
    node.focus({ preventScroll: true });
    reveal(node);
  }

  /** Scrolls the selected question into view inside its pane when the pane scrolls on its
   * own (desktop), else on the page (phone; scroll-margin keeps it below the header). */
  function reveal(node) {
    const pane = node.closest(".console-pane");
    if (!pane || pane.scrollHeight <= pane.clientHeight) return node.scrollIntoView({ block: "nearest" });
    const box = node.getBoundingClientRect();
    const view = pane.getBoundingClientRect();
    if (box.top < view.top) pane.scrollTop -= view.top - box.top;
    else if (box.bottom > view.bottom) pane.scrollTop += Math.min(box.bottom - view.bottom, box.top - view.top);
  }

  /** The selected question (from the store's latest render), or null. */
  function selectedQuestion() {
    return current().shown.find((q) => q.qid === selected) ?? null;
  }

  /** store: RoomStore; viewFor: per-viewer flags. */
  function render(store, viewFor) {
    lastRender = [store, viewFor];
    const all = store.questionsWith(STATUSES);
    // A room without review has nothing pending: there the chair starts on Live.
    const automatic = store.settings.premoderation || all.some((q) => q.status === "pending") ? "pending" : "live";
    if (!chosen && automatic !== active) {
      active = automatic;
      selected = null;
      selectedIndex = -1;
    }
    const found = facets(all);
    setOptions(langSelect, [["", t("mod.filter_lang_any")], ...found.langs.map((l) => [l, t(`lang.${l}`) === `lang.${l}` ? l : t(`lang.${l}`)])]);
    setOptions(orgSelect, [["", t("mod.filter_org_any")], ...found.orgs.map((o) => [o, o])]);
    setOptions(sortSelect, SORTS.map((s) => [s === "queue" ? "" : s, t(`mod.sort.${s}`)]));
    const wanted = filter();
    const filtered = isFiltered(wanted);
    clear.hidden = !filtered && !sortSelect.value;
    clear.parentElement.hidden = clear.hidden;
    for (const queue of queues) {
      const mine = all.filter((q) => q.status === queue.status);
      queue.shown = triage(mine, queue.status, wanted);
      const on = queue.status === active;
      setText(queue.tab.firstChild, t(`mod.queue.${queue.status}`));
      setText(queue.tab.lastChild, String(mine.length));
      setAttr(queue.tab, "title", t("mod.queue_count", { label: t(`mod.queue.${queue.status}`), n: mine.length }));
      setAttr(queue.tab, "data-count", String(mine.length));
      setAttr(queue.tab, "aria-selected", on ? "true" : "false");
      setAttr(queue.tab, "tabindex", on ? "0" : "-1");
      queue.panel.hidden = !on;
      queue.list.update(queue.shown, viewFor);
    }
    const shown = current().shown;
    noMatch.hidden = !(filtered && shown.length === 0 && all.some((q) => q.status === active));
    // The selected question left this queue (approved, dismissed...): the one that took its
    // place is selected instead, so "a a a" approves down the queue.
    if (selected && !shown.some((q) => q.qid === selected)) {
      selected = null;
      if (selectedIndex >= 0 && shown.length) {
        selected = shown[Math.min(selectedIndex, shown.length - 1)].qid;
        const hadFocus = root.contains(document.activeElement);
        paintSelection();
        if (hadFocus || document.activeElement === document.body) current().panel.querySelector(`[data-qid="${CSS.escape(selected)}"]`)?.focus({ preventScroll: true });
      }
    }
    paintSelection();
  }

  return {
    el: root,
    render,
    move,
    select,
    selectedQuestion,
    get active() {
      return active;
    },
  };
}
