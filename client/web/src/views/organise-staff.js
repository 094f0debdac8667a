// Staff invitations on the organiser page (issue 15): the list of links (role, room or the
// whole event, label, created, revoked, how many are connected with it now) with a revoke
// button behind a confirmation, and the invitation form, whose new link is shown once.
//
// Stable selectors (tests): #org-staff-list li[data-kid] (data-revoked), button
// [data-action=revoke]; #org-invite-role, #org-invite-room, #org-invite-label, #org-invite
// (the form, its invitation's cid idempotent); #org-new-link (the once-only link box) with #org-new-link-url;
// #org-confirm (the dialog) with [data-action=confirm] and [data-action=cancel].

import { el, reorder, setAttr, setText } from "../dom.js";
import { t } from "../i18n.js";
import { textIn } from "../lang-text.js";
import { newCid } from "../outbox.js";
import { absoluteUrl, INVITE_ROLES, inviteBody, LABEL_MAX, staffOrder } from "../staff-invites.js";
import { formatMoment } from "../programme-edit.js";
import { createLinkField } from "./organise-fields.js";

/** A modal "are you sure?": resolves true for the confirming button, false otherwise. */
function createConfirm() {
  const text = el("p", { id: "org-confirm-text" });
  const yes = el("button", { className: "danger", i18n: "organise.revoke", attrs: { type: "button", "data-action": "confirm" } });
  const no = el("button", { i18n: "organise.cancel", attrs: { type: "button", "data-action": "cancel" } });
  const dialog = el(
    "dialog",
    { id: "org-confirm", className: "org-dialog", attrs: { "aria-labelledby": "org-confirm-title", "aria-describedby": "org-confirm-text" } },
    el("h2", { id: "org-confirm-title", i18n: "organise.revoke_title" }),
    text,
    el("div", { className: "button-row" }, yes, no),
  );
  let settle = null;
  const finish = (answer) => {
    settle?.(answer);
    settle = null;
    if (dialog.open) dialog.close();
  };
  yes.addEventListener("click", () => finish(true));
  no.addEventListener("click", () => finish(false));
  dialog.addEventListener("close", () => finish(false)); // Escape
  return {
    el: dialog,
    ask(message) {
      setText(text, message);
      dialog.showModal();
      no.focus(); // the safe answer is the default
      return new Promise((resolve) => (settle = resolve));
    },
  };
}

function roomName(rooms, code) {
  const room = rooms.find((r) => r.code === code);
  return room ? `${textIn(room.title) || code} (${code})` : code;
}

function scopeText(link, rooms) {
  return link.room ? t("organise.scope_room", { room: roomName(rooms, link.room) }) : t("organise.scope_event");
}

function createStaffItem(kid, onRevoke) {
  const role = el("span", { className: "org-staff-role" });
  const label = el("span", { className: "org-staff-label" });
  const scope = el("p", { className: "org-staff-scope" });
  const created = el("p", { className: "org-staff-created hint" });
  const state = el("p", { className: "org-staff-state" });
  const revoke = el("button", { className: "danger", i18n: "organise.revoke", attrs: { type: "button", "data-action": "revoke" } });
  revoke.addEventListener("click", () => onRevoke(kid));
  const root = el("li", { className: "org-staff-item", data: { kid } }, el("div", { className: "org-staff-head" }, role, label), scope, created, state, revoke);
  return {
    el: root,
    update(link, rooms) {
      const roleName = t(`organise.role.${link.role}`);
      setText(role, roleName);
      const name = link.label || kid;
      setText(label, name);
      setText(scope, scopeText(link, rooms));
      setText(created, t("organise.created_at", { when: formatMoment(link.created) }));
      const revoked = link.revoked != null;
      setAttr(root, "data-revoked", revoked ? "true" : "false");
      setText(state, revoked ? t("organise.revoked_at", { when: formatMoment(link.revoked) }) : t("organise.connected", { n: link.connected ?? 0 }));
      revoke.hidden = revoked;
      revoke.setAttribute("aria-label", t("organise.revoke_of", { role: roleName, label: name }));
    },
  };
}

/** actions: {invite(body) -> reply or false, revoke(kid) -> boolean, copy(input), say(key)}. */
export function createStaffSection(actions) {
  const listHeading = el("h3", { id: "org-staff-list-heading" });
  const list = el("ul", { id: "org-staff-list", className: "org-staff-list", attrs: { "aria-labelledby": "org-staff-list-heading" } });
  const empty = el("p", { className: "hint", i18n: "organise.no_staff" });
  const items = new Map();
  const confirm = createConfirm();
  let links = [];
  let rooms = [];

  const roleSelect = el("select", { id: "org-invite-role" });
  for (const role of INVITE_ROLES) roleSelect.append(el("option", { props: { value: role }, i18n: `organise.role.${role}` }));
  const roomSelect = el("select", { id: "org-invite-room" });
  const labelInput = el("input", { id: "org-invite-label", attrs: { type: "text", maxlength: LABEL_MAX, autocomplete: "off" }, i18nPlaceholder: "organise.label_placeholder" });
  const formError = el("p", { className: "form-error", attrs: { role: "alert" } });
  formError.hidden = true;
  const submit = el("button", { className: "primary", i18n: "organise.invite_submit", attrs: { type: "submit" } });
  const form = el(
    "form",
    { id: "org-invite", className: "org-invite", attrs: { novalidate: true, "aria-labelledby": "org-invite-heading" } },
    el("h3", { id: "org-invite-heading", i18n: "organise.invite_heading" }),
    el("div", { className: "org-invite-grid" },
      el("div", { className: "org-field" }, el("label", { attrs: { for: "org-invite-role" }, i18n: "organise.role_label" }), roleSelect),
      el("div", { className: "org-field" }, el("label", { attrs: { for: "org-invite-room" }, i18n: "organise.scope_label" }), roomSelect),
      el("div", { className: "org-field org-invite-label" }, el("label", { attrs: { for: "org-invite-label" }, i18n: "organise.label_label" }), labelInput)),
    formError,
    el("div", { className: "button-row" }, submit),
  );
  // An organiser's link is always for the whole event.
  const syncScope = () => {
    const organiser = roleSelect.value === "organiser";
    if (organiser) roomSelect.value = "";
    roomSelect.disabled = organiser;
  };
  roleSelect.addEventListener("change", syncScope);

  const newLink = createLinkField("org-new-link-url", "organise.new_link", (input) => actions.copy(input));
  const dismiss = el("button", { i18n: "organise.new_link_done", attrs: { type: "button", "data-action": "dismiss" } });
  const newBox = el(
    "div",
    { id: "org-new-link", className: "org-new-link banner", attrs: { tabindex: "-1" } },
    el("p", { className: "org-new-link-warning", i18n: "organise.new_link_warning" }),
    newLink.el,
    dismiss,
  );
  newBox.hidden = true;
  dismiss.addEventListener("click", () => {
    newLink.set("");
    newBox.hidden = true;
  });

  // The invitation's cid (the API makes it idempotent): a retry of the same form after a lost
  // answer makes no second link; a changed form is a new invitation.
  let cid = null;
  form.addEventListener("input", () => (cid = null));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const result = inviteBody({ role: roleSelect.value, room: roomSelect.value, label: labelInput.value });
    if (result.error) {
      setText(formError, t(result.error));
      formError.hidden = false;
      return;
    }
    formError.hidden = true;
    submit.disabled = true;
    cid ??= newCid();
    const reply = await actions.invite({ ...result.body, cid });
    submit.disabled = false;
    if (!reply) return;
    cid = null;
    labelInput.value = "";
    newLink.set(absoluteUrl(reply.url, location.origin), t("organise.copy_new_link"));
    newBox.hidden = false;
    newBox.focus();
  });

  async function onRevoke(kid) {
    const link = links.find((l) => l.kid === kid);
    if (!link) return;
    const message = t("organise.revoke_confirm", { role: t(`organise.role.${link.role}`), label: link.label || kid, scope: scopeText(link, rooms) });
    if (await confirm.ask(message)) await actions.revoke(kid);
  }

  const root = el(
    "section",
    { id: "org-staff", className: "card org-staff", attrs: { "aria-labelledby": "org-staff-heading" } },
    el("h2", { id: "org-staff-heading", i18n: "organise.staff_heading" }),
    el("p", { className: "hint", i18n: "organise.staff_intro" }),
    form,
    newBox,
    listHeading,
    empty,
    list,
    confirm.el,
  );

  function update(nextLinks, nextRooms) {
    links = nextLinks;
    rooms = nextRooms;
    const chosen = roomSelect.value;
    const options = [el("option", { props: { value: "" }, i18n: "organise.scope_event" })];
    for (const room of rooms) if (!room.archived) options.push(el("option", { props: { value: room.code }, text: roomName(rooms, room.code) }));
    roomSelect.replaceChildren(...options);
    roomSelect.value = [...roomSelect.options].some((o) => o.value === chosen) ? chosen : "";
    syncScope();
    const shown = staffOrder(links).map((link) => {
      if (!items.has(link.kid)) items.set(link.kid, createStaffItem(link.kid, onRevoke));
      const item = items.get(link.kid);
      item.update(link, rooms);
      return item.el;
    });
    reorder(list, shown);
    setText(listHeading, t("organise.links_heading", { n: shown.length }));
    empty.hidden = shown.length > 0;
  }

  return { el: root, update };
}
