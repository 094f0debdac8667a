// Two interface languages at once on the projector: /r/CODE/present?langs=ja,mn shows every
// fixed label (the data-i18n ones) in both, "回答中の質問 · Одоо хариулж буй асуулт", each
// part in its own <span lang>. The first language is the page's. Counted phrases ("5
// voted") stay in the first language. Room content written in several languages (a poll's
// title and options, issue 14) shows in both through present-texts.js. Only the projector
// imports this module; the ?langs= pair that main.js loads before the first render comes
// from route.js's projectorLangs (re-exported here).

import { clear, el } from "../dom.js";
import { setLang, t } from "../i18n.js";

export { projectorLangs } from "../route.js";

/** Returns apply(): rewrites root's labels in both languages (cheap when already done). */
export function createBilingual(root, langs) {
  if (langs.length) setLang(langs[0], { remember: false });
  return function apply() {
    if (!langs.length) return;
    for (const node of root.querySelectorAll("[data-i18n]")) {
      if (node.firstElementChild) continue; // done, and not reset by translateTree since
      const key = node.dataset.i18n;
      clear(node);
      langs.forEach((lang, i) => {
        if (i) node.append(" · ");
        node.append(el("span", { className: "bilingual", attrs: { lang }, text: t(key, {}, lang) }));
      });
    }
  };
}
