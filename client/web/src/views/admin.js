// The server admin's page, /admin#key=… (issue 15; docs/protocol.md "The admin link" and
// "The admin page (client)"): the events with their organiser links, and a form that creates
// an event with its first room (POST /api/events). A chunk of its own with its own strings.

import { absoluteLink, ADMIN_KEY, eventBody, madeAt, refusal, takeAdminKey, TITLE_MAX } from "../admin-event.js";
import en from "../catalogues/admin-en.js";
import ja from "../catalogues/admin-ja.js";
import mn from "../catalogues/admin-mn.js";
import { el, setText } from "../dom.js";
import { CATALOGUES, LANGS, langName, loadLangs, onLangChange, t } from "../i18n.js";
import { textIn } from "../lang-text.js";
import { session } from "../storage.js";

const STRINGS = { en, ja, mn };

/** Puts this page's strings into every catalogue. All three are fetched first, so that a
 * switch of language later finds them there (an admin page can afford two more files). */
async function addStrings() {
  await loadLangs(LANGS).catch(() => {}); // offline: the languages that did load
  for (const lang of LANGS) if (CATALOGUES[lang]) Object.assign(CATALOGUES[lang], STRINGS[lang]);
}

/** A text node kept in the reader's language: set(key, params) or set(null) to hide it. */
function message(node) {
  let shown = null;
  const render = () => setText(node, shown ? t(shown.key, shown.params) : "");
  return {
    node,
    stop: onLangChange(render),
    set(key, params = {}) {
      shown = key ? { key, params } : null;
      node.hidden = !key;
      render();
    },
  };
}

async function copyText(text, status) {
  try {
    await navigator.clipboard.writeText(text);
    status.set("admin.copied");
  } catch {
    status.set("admin.copy_failed"); // no clipboard here (plain http under another name)
  }
}

function organiserLinks(url, status, describedBy) {
  const link = absoluteLink(url);
  return el(
    "div",
    { className: "button-row" },
    el("a", { className: "button-link", i18n: "admin.open_organiser", attrs: { href: link, "aria-describedby": describedBy } }),
    el("button", {
      i18n: "admin.copy_organiser",
      attrs: { type: "button", "aria-describedby": describedBy },
      on: { click: () => copyText(link, status) },
    }),
  );
}

/** "Created {when}" with the times as nodes, wherever the language puts {when}. */
function created(when) {
  const [before, after = ""] = t("admin.created").split("{when}");
  return [before, ...when.flatMap((node, i) => (i ? [" · ", node] : [node])), after];
}

function eventItem(event, status) {
  const id = `event-${event.event_id}`;
  const rooms = Array.isArray(event.rooms) ? event.rooms : [];
  // Each code and time is one unbreakable piece: "2026-12-" and "04" on two lines read badly.
  const when = madeAt(event.created).map((time) => el("span", { className: "nowrap", text: time }));
  const codes = rooms.flatMap((code, i) => [i ? ", " : " · ", el("span", { className: "nowrap", text: code })]);
  return el(
    "li",
    { className: "event-item", data: { event: event.event_id } },
    el("h3", { id, className: "event-title", text: textIn(event.title) || event.event_id }),
    el("p", { className: "hint" }, t("admin.rooms", { n: rooms.length }), codes, when.length ? [" · ", ...created(when)] : null),
    organiserLinks(event.organiser_url, status, id),
  );
}

/** A labelled text field for each language, in a fieldset named by `legendKey`. */
function titleFields(prefix, legendKey, hintKey) {
  const inputs = {};
  const labels = [];
  const fields = LANGS.map((lang) => {
    const input = el("input", { id: `${prefix}-${lang}`, attrs: { type: "text", lang, maxlength: TITLE_MAX, autocomplete: "off" } });
    inputs[lang] = input;
    const label = el("label", { attrs: { for: input.id }, text: langName(lang) });
    labels.push([label, lang]);
    return [label, input];
  });
  onLangChange(() => labels.forEach(([label, lang]) => setText(label, langName(lang))));
  const hint = hintKey ? el("p", { className: "hint", i18n: hintKey }) : null;
  return { inputs, el: el("fieldset", {}, el("legend", { i18n: legendKey }), hint, fields.flat()) };
}

function labelled(id, key, input) {
  return el("div", { className: "slot-field" }, el("label", { attrs: { for: id }, i18n: key }), input);
}

/** Starts the admin page inside `root`; `createLangSwitch` is lang-switch.js's (main.js). */
export async function startAdmin(root, { createLangSwitch }) {
  document.body.classList.add("view-admin");
  await addStrings();
  const store = session();
  const key = { value: takeAdminKey(store) };
  const banner = message(el("p", { id: "admin-banner", className: "banner", data: { kind: "error" }, attrs: { role: "alert" } }));
  const listStatus = message(el("p", { id: "events-status", className: "hint", attrs: { role: "status" } }));
  const copyStatus = message(el("p", { id: "copy-status", className: "hint", attrs: { role: "status" } }));
  const list = el("ul", { id: "event-list", className: "event-list" });
  const eventsCard = el(
    "section",
    { id: "events", className: "card", attrs: { "aria-labelledby": "title-events" } },
    el("h2", { id: "title-events", i18n: "admin.events" }),
    listStatus.node,
    list,
    copyStatus.node,
  );

  const title = titleFields("event-title", "admin.event_title", "admin.title_hint");
  const roomTitle = titleFields("room-title", "admin.room_title", null);
  const code = el("input", {
    id: "room-code",
    i18nPlaceholder: "landing.code_placeholder",
    attrs: { type: "text", maxlength: 32, autocapitalize: "characters", autocomplete: "off", spellcheck: "false", "aria-describedby": "room-code-hint" },
  });
  const date = el("input", { id: "slot-date", attrs: { type: "date" } });
  const starts = el("input", { id: "slot-starts", attrs: { type: "time" } });
  const ends = el("input", { id: "slot-ends", attrs: { type: "time" } });
  const zone = el(
    "select",
    { id: "slot-zone" },
    el("option", { i18n: "admin.zone_jst", props: { value: "JST" } }),
    el("option", { i18n: "admin.zone_ulat", props: { value: "ULAT" } }),
  );
  const formError = message(el("p", { id: "new-event-error", className: "form-error", attrs: { role: "alert" } }));
  const submit = el("button", { id: "create-event", className: "primary", i18n: "admin.create", props: { type: "submit" } });
  const form = el(
    "form",
    { id: "new-event", className: "card admin-form", attrs: { novalidate: true, "aria-labelledby": "title-new-event" } },
    el("h2", { id: "title-new-event", i18n: "admin.new_event" }),
    title.el,
    el(
      "fieldset",
      {},
      el("legend", { i18n: "admin.first_room" }),
      el("p", { className: "hint", i18n: "admin.room_hint" }),
      el("label", { attrs: { for: "room-code" }, i18n: "admin.room_code" }),
      code,
      el("p", { id: "room-code-hint", className: "hint", i18n: "admin.room_code_hint" }),
      roomTitle.el,
      el(
        "fieldset",
        {},
        el("legend", { i18n: "admin.slot" }),
        el("div", { className: "slot-row" }, labelled("slot-date", "admin.date", date), labelled("slot-zone", "admin.zone", zone), labelled("slot-starts", "admin.starts", starts), labelled("slot-ends", "admin.ends", ends)),
      ),
    ),
    formError.node,
    el("div", { className: "button-row" }, submit),
  );

  // The new event's organiser link, announced (aria-live) when the server made it.
  const created = el("div", { id: "created", className: "card created", attrs: { "aria-live": "polite" } });
  created.hidden = true;

  for (const m of [banner, listStatus, copyStatus, formError]) m.set(null);
  root.replaceChildren(
    el(
      "header",
      { className: "room-header landing-header" },
      el("div", { className: "room-heading" }, el("h1", { i18n: "admin.title" })),
      el("div", { className: "room-status" }, createLangSwitch()),
    ),
    el("main", { id: "main", className: "landing-main" }, el("p", { className: "intro", i18n: "admin.intro" }), banner.node, created, eventsCard, form),
  );
  const retitle = () => (document.title = `${t("admin.title")} · ${t("app.name")}`);
  retitle();
  onLangChange(retitle);

  /** No key, or one the server refused: say how to get one and offer nothing else. */
  function keyless(textKey) {
    if (key.value) store.remove(ADMIN_KEY);
    key.value = null;
    banner.set(textKey);
    eventsCard.hidden = form.hidden = true;
  }

  async function api(method, body) {
    const headers = { accept: "application/json", authorization: `Bearer ${key.value}` };
    if (body) headers["content-type"] = "application/json";
    const response = await fetch("/api/events", { method, headers, body: body ? JSON.stringify(body) : undefined, cache: "no-store" });
    return { status: response.status, body: await response.json().catch(() => null) };
  }

  let events = [];
  const showEvents = () => list.replaceChildren(...events.map((e) => eventItem(e, copyStatus)));
  onLangChange(showEvents); // titles may be language maps; counts and dates are worded

  async function loadEvents() {
    listStatus.set("admin.loading");
    try {
      const { status, body } = await api("GET");
      const refused = refusal(status, body);
      if (refused?.forget) return keyless(refused.key);
      if (refused) return listStatus.set(refused.key, refused.params);
      events = Array.isArray(body?.events) ? body.events : [];
      showEvents();
      listStatus.set(events.length ? null : "admin.no_events");
    } catch {
      listStatus.set("admin.err.network");
    }
  }

  const fieldNodes = { title: title.inputs.en, code, room_title: roomTitle.inputs.en, date, starts, ends };
  const fieldOf = (name) => {
    const [group, lang] = name.split(".");
    if (lang) return (group === "title" ? title : roomTitle).inputs[lang];
    return fieldNodes[group];
  };
  const valueOf = (inputs) => Object.fromEntries(LANGS.map((lang) => [lang, inputs[lang].value]));

  let dropCreated = () => {};
  function showCreated(event) {
    dropCreated(); // the last event's texts stop following the language
    const link = absoluteLink(event.organiser_url);
    const status = message(el("p", { id: "created-copy-status", className: "hint", attrs: { role: "status" } }));
    status.set(null);
    const intro = message(el("p", { id: "created-text", className: "created-text" }));
    intro.set("admin.created_event", { get title() { return textIn(event.title); } }); // in the reader's language, as it changes
    dropCreated = () => [status, intro].forEach((m) => m.stop());
    const input = el("input", { id: "created-link", attrs: { type: "text", readonly: true, "aria-describedby": "created-secret" }, props: { value: link } });
    input.addEventListener("focus", () => input.select());
    created.replaceChildren(
      intro.node,
      el("label", { attrs: { for: "created-link" }, i18n: "admin.organiser_link" }),
      input,
      el("p", { id: "created-secret", className: "hint", i18n: "admin.link_secret" }),
      organiserLinks(event.organiser_url, status, "created-text"),
      status.node,
    );
    created.hidden = false;
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const values = { title: valueOf(title.inputs), code: code.value, roomTitle: valueOf(roomTitle.inputs), date: date.value, starts: starts.value, ends: ends.value, zone: zone.value };
    const made = eventBody(values);
    if (made.error) {
      formError.set(made.error);
      fieldOf(made.field)?.focus();
      return;
    }
    formError.set(null);
    submit.disabled = true;
    submit.dataset.i18n = "admin.creating";
    setText(submit, t("admin.creating"));
    try {
      const { status, body } = await api("POST", made.body);
      const refused = refusal(status, body, made.body.rooms[0].code);
      if (refused?.forget) return keyless(refused.key);
      if (refused) {
        formError.set(refused.key, refused.params);
        if (status === 409) code.focus();
        return;
      }
      showCreated(body);
      form.reset();
      await loadEvents();
    } catch {
      formError.set("admin.err.network");
    } finally {
      submit.disabled = false;
      submit.dataset.i18n = "admin.create";
      setText(submit, t("admin.create"));
    }
  });

  // A new admin link pasted into this tab changes only the fragment: start again with it.
  addEventListener("hashchange", () => new URLSearchParams(location.hash.slice(1)).get("key") && location.reload());
  if (!key.value) return keyless("admin.no_key");
  await loadEvents();
}
