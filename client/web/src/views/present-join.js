// How to join, on the projector: a QR code of the participant link (drawn by the `qrcode`
// library as an SVG string and parsed with DOMParser, so no inline script or style reaches
// the page), the link itself and the room code. The link may wrap only after "/" (a <wbr>
// after each slash, each part a nowrap span in presenter.css); the code never wraps.

import QRCode from "qrcode";
import { el } from "../dom.js";

/** Splits a URL into text and <wbr> nodes: a line break is allowed only after "/". */
function urlNodes(url) {
  const nodes = [];
  for (const part of url.split(/(?<=\/)/)) {
    nodes.push(el("span", { className: "present-url-part", text: part }), document.createElement("wbr"));
  }
  nodes.pop();
  return nodes;
}

/** The library's SVG, parsed (not innerHTML) and made a labelled image. */
async function qrSvg(url) {
  const source = await QRCode.toString(url, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
  const svg = new DOMParser().parseFromString(source, "image/svg+xml").documentElement;
  svg.setAttribute("role", "img");
  svg.removeAttribute("width");
  svg.removeAttribute("height");
  return document.importNode(svg, true);
}

/** Returns the <aside> with the QR code, the link and the code. */
export function createPresentJoin(code, joinUrl) {
  const qr = el("figure", { id: "present-qr", className: "present-qr", data: { url: joinUrl } });
  qrSvg(joinUrl).then((svg) => {
    svg.setAttribute("aria-label", joinUrl);
    qr.append(svg);
    qr.dataset.ready = "true";
    qr.dispatchEvent(new Event("qr-ready", { bubbles: true }));
  });
  return el(
    "aside",
    { className: "present-join" },
    qr,
    el("p", { className: "present-join-label", i18n: "present.join" }),
    el("p", { id: "present-url", className: "present-url" }, urlNodes(joinUrl)),
    el("p", { className: "present-join-label", i18n: "present.code" }),
    el("p", { id: "present-code", className: "present-code", text: code }),
  );
}
