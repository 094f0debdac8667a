// A room page: identity and join form, the connection, the outbox, the shared header,
// banners and notices, and the view chosen by the path (participant, moderator, presenter,
// rapporteur, interpreter).

import { Commands } from "./commands.js";
import { RoomConnection, socketUrl } from "./connection.js";
import { coalesce, el, setAttr, setText } from "./dom.js";
import { errorText, getLang, onLangChange, setLang, t } from "./i18n.js";
import { eventRoleKey, forgetRoleKey, keepRoleKey, loadProfile, saveProfile, takeRoleKey, tokens } from "./identity.js";
import { readRegistry, registry, withRegistry } from "./organisations.js";
import { newCid, Outbox } from "./outbox.js";
import { local } from "./storage.js";
import { roomPath } from "./route.js";
import { RoomStore, roomInfo as describeRoom } from "./store.js";
import { syncState } from "./sync-state.js";
import { createHeader } from "./views/header.js";
import { createJoinForm } from "./views/join.js";
import { createNotice } from "./views/notice.js";

// Each view is a chunk of its own (issue 13): the projector never downloads the notes
// editor and yjs, a participant never the QR code or the moderator's panels. Each loader
// gives [createView, NotesSync or null]: the views that show the shared notes re-export
// NotesSync (notes.js is in their chunk already), so the notes are no extra file to fetch.
const VIEWS = {
  participant: () => import("./views/participant.js").then((m) => [m.createParticipantView, m.NotesSync]),
  moderator: () => import("./views/moderator.js").then((m) => [m.createModeratorView, m.NotesSync]),
  presenter: () => import("./views/presenter.js").then((m) => [m.createPresenterView, null]),
  rapporteur: () => import("./views/moderator.js").then((m) => [m.createRapporteurView, m.NotesSync]),
  interpreter: () => import("./views/interpreter.js").then((m) => [m.createInterpreterView, null]),
};
const STAFF_VIEWS = { moderator: "moderator", rapporteur: "rapporteur", interpreter: "interpreter" }; // view -> role it needs
// What the role banner says on a page opened without its key, or with one that gave no role.
const NO_KEY_TEXT = { interpreter: "interp.no_key" };
const NO_ROLE_TEXT = { interpreter: "interp.not_interpreter" };
const FATAL_TEXT = { auth: "room.auth_failed", not_found: "room.not_found", closed: "room.connection_closed" };

/** Starts the room page for `code` in `view` inside `root`. */
export function startRoom(root, { code, view }) {
  document.body.classList.add(`view-${view}`);
  // Fetched while the join form shows and the room's info loads.
  const parts = VIEWS[view]();
  let key = STAFF_VIEWS[view] ? takeRoleKey(code) : null;
  let kept = false;
  const roomInfo = fetch(`/api/rooms/${encodeURIComponent(code)}`, { headers: { accept: "application/json" } })
    .then((r) => {
      if (r.status === 404) noSuchRoom();
      return r.ok ? r.json() : null;
    })
    .catch(() => null);
  // The event's organisations for the join form (issue 14): from the room's info, else
  // from the last join reply (the store keeps it), else none.
  const registryReady = roomInfo.then((info) => (info?.event?.organisations?.length ? info.event.organisations : registry()));
  const store = new RoomStore();
  const outbox = new Outbox(local(), code);
  const notice = createNotice();
  let profile = view === "presenter" ? { name: "Presenter", org: "", lang: getLang() } : loadProfile();
  let connection = null;
  let viewApi = null;

  const header = createHeader({ code, onEditProfile: view === "presenter" ? null : () => showJoin() });
  const banner = el("p", { id: "room-banner", className: "banner", attrs: { role: "alert" } });
  const roleBanner = el("p", { id: "role-banner", className: "banner" });
  const announcer = el("div", { id: "announcer", className: "sr-only", attrs: { "aria-live": "polite" } });
  const joinSlot = el("div", { className: "join-slot" });
  const viewSlot = el("main", { id: "main", className: "room-main" });
  // The staff key stays on this device (identity.js); whoever leaves a shared computer can
  // take it off here.
  const forget = el("button", {
    className: "forget-key",
    i18n: "room.forget_key",
    attrs: { type: "button" },
    on: {
      click: () => {
        forgetRoleKey(code);
        location.assign(roomPath(code));
      },
    },
  });
  const keyBar = el("footer", { className: "key-bar" }, forget);
  banner.hidden = roleBanner.hidden = keyBar.hidden = true;
  root.replaceChildren(header.el, notice.el, banner, roleBanner, joinSlot, viewSlot, keyBar, announcer);

  const sync = () => ({
    state: syncState({
      status: connection?.status ?? "connecting",
      wasLive: connection?.wasLive ?? false,
      online: navigator.onLine,
      pending: outbox.size(),
    }),
    pending: outbox.size(),
  });

  const render = coalesce(() => {
    header.update(store, sync());
    // Staff see how many questions wait for review in the tab's title (issue 13).
    const waiting = STAFF_VIEWS[view] && store.queue.pending > 0 ? `(${store.queue.pending}) ` : "";
    document.title = `${waiting}${store.room?.title || code} · ${t("app.name")}`;
    renderBanners();
    viewApi?.render();
  });

  function renderBanners() {
    const failure = connection?.failure;
    let text = "";
    if (failure) text = FATAL_TEXT[failure.reason] ? t(FATAL_TEXT[failure.reason], { code: failure.code }) : t("room.join_failed", { reason: errorText(failure.code) });
    else if (store.roomState === "closed") text = t("room.closed");
    else if (store.roomState === "archived") text = t("room.archived");
    setText(banner, text);
    banner.hidden = !text;
    setAttr(banner, "data-kind", failure ? "error" : text ? store.roomState : null);
    const needs = STAFF_VIEWS[view];
    let role = "";
    if (needs && !key) role = t(NO_KEY_TEXT[view] ?? "room.no_key");
    else if (needs && store.me && !store.hasRole(needs) && !store.hasRole("moderator")) role = t(NO_ROLE_TEXT[view] ?? "room.not_moderator");
    setText(roleBanner, role);
    roleBanner.hidden = !role;
    keyBar.hidden = !(needs && key);
    if (needs && key && !kept && store.me && (store.hasRole(needs) || store.hasRole("moderator"))) {
      kept = true; // the server gave the key its role: keep it for this room and its event
      keepRoleKey(code, store.room?.event?.id, key);
    }
  }

  function showJoin() {
    const form = createJoinForm({
      initial: profile,
      registry: registryReady,
      onSubmit: (chosen) => {
        saveProfile(chosen);
        setLang(chosen.lang);
        profile = chosen;
        joinSlot.replaceChildren();
        viewSlot.hidden = false;
        header.showEdit(true);
        if (!connection) begin();
        else if (connection.status === "stopped") connection.restart();
        else if (connection.isLive()) connection.sendJoin(); // a second join updates the name
      },
    });
    joinSlot.replaceChildren(form.el);
    viewSlot.hidden = true;
    header.showEdit(false);
  }

  function announce(change) {
    if (change.kind !== "event" || view === "presenter") return;
    if (change.type === "poll.status" && change.data.status === "open") {
      const poll = store.polls.get(change.data.poll_id);
      if (poll) setText(announcer, t("poll.opened", { title: poll.title }));
      return;
    }
    const q = change.type === "question.asked" ? change.data : change.type === "question.status" ? change.data.question : null;
    if (!q || q.mine || store.isMine(q.qid)) return;
    if (q.status === "pending" && STAFF_VIEWS[view]) return setText(announcer, t("mod.new_pending", { text: q.text }));
    if (q.status !== "live") return;
    setText(announcer, t("questions.new", { text: q.text }));
  }

  // A staff page opened without a key of its own may use the key kept for its event.
  const keyReady = STAFF_VIEWS[view] && !key ? roomInfo.then((info) => (key = eventRoleKey(info?.event?.id))) : Promise.resolve();
  let starting = false;
  function begin() {
    if (starting) return;
    starting = true;
    Promise.all([keyReady.catch(() => null), parts]).then(([, [createView, NotesSync]]) => startConnection(createView, NotesSync));
  }

  function startConnection(createView, NotesSync) {
    connection = new RoomConnection({
      url: socketUrl(),
      store,
      tokens,
      // The projector joins as a screen (docs/protocol.md): it shows presence, is not counted in it.
      joinFields: () => ({
        room: code, name: profile.name, org: profile.org, lang: profile.lang, key: key ?? null,
        ...(profile.org_id ? { org_id: profile.org_id } : {}),
        ...(view === "presenter" ? { screen: true } : {}),
      }),
    });
    const commands = new Commands({ connection, outbox, store });
    // The shared notes (not on the presenter screen): synced after every join.
    const notes = NotesSync ? new NotesSync({ connection, store, storage: local(), code, newCid }) : null;
    notes?.start();
    viewApi = createView({ code, store, commands, outbox, connection, notice, key, notes });
    viewSlot.replaceChildren(viewApi.el);
    viewSlot.hidden = false;

    store.subscribe((change) => {
      announce(change);
      render();
    });
    outbox.subscribe(render);
    connection.on("status", (status) => {
      if (status === "stopped" && connection.failure?.reason === "not_found") return noSuchRoom();
      const needs = STAFF_VIEWS[view];
      if (needs && key && status === "stopped" && connection.failure?.reason === "auth") forgetRoleKey(code); // refused or revoked
      // The server refused the join itself (a name it does not accept): ask again.
      if (status === "stopped" && connection.failure?.reason === "join" && view !== "presenter") showJoin();
      render();
    });
    connection.on("notice", (err) => notice.show(errorText(err.code, { s: err.retryAfter }), "error"));
    commands.onOutcome(({ entry, reply, error }) => {
      if (error) {
        const wait = error.retryAfter ? ` ${t("notice.retry_in", { s: wholeSeconds(error.retryAfter) })}` : "";
        // A poll that is not open (any more) explains itself better than "conflict".
        const text = entry.t.startsWith("poll.") && error.code === "conflict" ? t("poll.err.conflict") : errorText(error.code, { s: error.retryAfter ?? "?" });
        notice.show(`${text}${error.code === "rate_limited" ? "" : wait}`, "error");
      } else if (entry.t === "ask") {
        notice.show(t(reply.status === "pending" ? "ask.sent_review" : "ask.sent"));
      } else if (entry.t === "poll.vote") {
        notice.show(t("poll.vote_sent"));
      }
    });
    // Another tab of this origin changed the outbox: show it (and send it, if we are live).
    window.addEventListener("storage", (e) => e.key === outbox.key && outbox.changed());
    window.addEventListener("online", render);
    window.addEventListener("offline", render);
    connection.start();
    render();
  }

  onLangChange(() => {
    // One language per person: the switch also becomes the language we join and ask in.
    if (profile && view !== "presenter") {
      profile = withRegistry({ ...profile, lang: getLang() }); // a picked organisation's name follows
      saveProfile(profile);
    }
    render();
  });

  /** An unknown code: the landing page, saying so, with the code field (issue 13). */
  let gone = false;
  function noSuchRoom() {
    if (gone) return;
    gone = true;
    if (connection && connection.status !== "stopped") connection.stop("not_found");
    document.body.classList.remove(`view-${view}`);
    import("./views/landing.js").then((m) => m.startLanding(root, { missing: code })); // its own chunk
  }

  roomInfo.then((info) => {
    // A profile stored before the registry (only a typed `org`) gains the entry's id.
    if (profile && view !== "presenter" && info?.event?.organisations?.length) {
      const upgraded = withRegistry(profile, readRegistry(info.event.organisations));
      if (JSON.stringify(upgraded) !== JSON.stringify(profile)) saveProfile((profile = upgraded));
    }
    if (info?.title && !store.room) {
      store.room = describeRoom(code, info.title, info.event, info.prompts, info);
      render();
    }
  });

  render();
  if (profile) begin();
  else showJoin();
}
