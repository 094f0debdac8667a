// The projector's strip of the room's state: the time in Tokyo and Ulaanbaatar side by side
// (Intl.DateTimeFormat with Asia/Tokyo and Asia/Ulaanbaatar, labelled by city) and who is
// here (participants only; the server counts them): per city ("Sendai 23 · Ulaanbaatar
// 19", the frame's by_city or the registry's `city`), then per organisation, each registry
// entry once and in the reader's language whatever language it was picked in (issue 14).

import { el, setText } from "../dom.js";
import { t } from "../i18n.js";
import { cityLine } from "../cities.js";
import { presenceLine, presenceRows } from "../organisations.js";
import { clockIn, ZONES } from "../time.js";

export { cityLine, presenceLine };

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
  const cities = el("p", { id: "present-cities", className: "present-cities" });
  const orgs = el("p", { id: "present-orgs", className: "present-orgs" });
  const presence = el("div", { id: "present-presence", className: "present-presence" }, cities, orgs);
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
      setText(cities, cityLine(store.presence?.byOrg, store.presence?.byCity));
      // Each organisation its own unbreakable-where-it-fits piece, so a long registry name
      // (ONEA-GETI's) wraps inside itself and the " · " between entries stays readable.
      const texts = presenceRows(store.presence?.byOrg).map(([name, n]) => `${name || t("present.no_org")} ${n}`);
      if (texts.join(" · ") !== orgs.textContent) {
        orgs.replaceChildren(...texts.flatMap((text, i) => [...(i ? [" · "] : []), el("span", { className: "present-org", text })]));
      }
      cities.hidden = !cities.textContent;
      orgs.hidden = !orgs.textContent;
      presence.hidden = cities.hidden && orgs.hidden;
    },
  };
}
