// Fits the projector to its screen: measure and shrink. Every size on the projector is in
// em of the view's root, so one font-size scales it all. After each render and on resize,
// start at 100 % and step down until the document is no taller and no wider than the
// window (a 500-character question, ten long options). CSS clamp() alone cannot do this:
// it knows the screen, not the text. The size is set through the CSSOM (element.style),
// which the page's CSP allows.

const MIN = 0.3; // of the stylesheet's size; below this nothing fits anyway
const STEP = 0.95;

function overflows() {
  const doc = document.documentElement;
  return doc.scrollHeight > window.innerHeight || doc.scrollWidth > window.innerWidth;
}

/** Returns fit(): call it after the content changed; it also runs on resize. */
export function fitToScreen(root) {
  let scale = 1;
  function fit() {
    if (!root.isConnected) return;
    scale = 1;
    root.style.fontSize = "";
    while (overflows() && scale > MIN) {
      scale *= STEP;
      root.style.fontSize = `${(scale * 100).toFixed(1)}%`;
    }
    root.dataset.fitScale = scale.toFixed(3);
  }
  window.addEventListener("resize", fit);
  if (document.fonts) document.fonts.ready.then(fit);
  return fit;
}
