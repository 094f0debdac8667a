// Two interface languages at once on the projector: /r/CODE/present?langs=ja,mn shows every
// fixed label (the data-i18n ones) in both, "回答中の質問 · Одоо хариулж буй асуулт", each
// part in its own <span lang>. The first language is the page's. Counted phrases ("5
// voted") stay in the first language. Room content written in several languages (a poll's
// title and options, issue 14) shows in both through present-texts.js. main.js imports this
// module (every page's first load): keep it small.

import { clear, el } from "../dom.js";
import { LANGS, setLang, t } from "../i18n.js";

/** The languages asked for in ?langs= (two known ones), else []. */
export function projectorLangs(search = location.search) {
  const asked = (new URLSearchParams(search).get("langs") || "").split(",").map((s) => s.trim());
  const langs = [...new Set(asked.filter((l) => LANGS.includes(l)))].slice(0, 2);
  return langs.length === 2 ? langs : [];
}

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
