// The projector's strip of the room's state: the time in Tokyo and Ulaanbaatar side by side
// (Intl.DateTimeFormat with Asia/Tokyo and Asia/Ulaanbaatar, labelled by city) and who is
// here, by city / organisation, from the `presence` frame's by_org (participants only; the
// server counts them).

import { el, setText } from "../dom.js";
import { t } from "../i18n.js";
import { clockIn, ZONES } from "../time.js";

/** "Sendai 23 · Ulaanbaatar 19 · UNDRR 4": the largest first, then by name. */
export function presenceLine(byOrg) {
  return Object.entries(byOrg || {})
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([org, n]) => `${org || t("present.no_org")} ${n}`)
    .join(" · ");
}

/** Returns {el, render(store)}; the clocks tick by themselves each second. */
export function createPresentStatus() {
  const clocks = ZONES.map(({ city, tz: zone }) => {
    const time = el("time", { className: "present-clock-time" });
    const node = el(
      "p",
      { className: "present-clock", data: { zone } },
      el("span", { className: "present-clock-city", i18n: `present.city_${city}` }),
      " ",
      time,
    );
    return { zone, time, node };
  });
  const presence = el("p", { id: "present-presence", className: "present-presence" });
  const root = el("div", { className: "present-status" }, ...clocks.map((c) => c.node), presence);

  function tick() {
    const now = new Date();
    for (const { zone, time } of clocks) {
      setText(time, clockIn(zone, now));
      time.setAttribute("datetime", now.toISOString());
    }
  }
  tick();
  setInterval(tick, 1000);

  return {
    el: root,
    render(store) {
      tick();
      setText(presence, presenceLine(store.presence?.byOrg));
      presence.hidden = !presence.textContent;
    },
  };
}
