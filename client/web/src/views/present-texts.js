// Room content on the projector in its languages (issue 14): a text in each screen
// language (a poll's title and options), and a question's translations beside its
// original. screen-text.js picks what to show; these write it. Projector-only.

import { el } from "../dom.js";
import { CATALOGUES, loadLang, t } from "../i18n.js";

const shownTexts = new WeakMap();

/** Fills `node` with one <span lang> per text ([{lang, text}] from screen-text.js), the
 * ones after the first as .screen-second; rebuilt only when the texts change. */
export function fillTexts(node, texts) {
  const key = texts.map((x) => `${x.lang}\u0001${x.text}`).join("\u0000");
  if (shownTexts.get(node) === key) return;
  shownTexts.set(node, key);
  node.replaceChildren(
    ...texts.map((x, i) => el("span", { className: i ? "screen-text screen-second" : "screen-text", text: x.text, attrs: { lang: x.lang } })),
  );
}

/** The translations beside a question on the screen ([{lang, text}] from screen-text.js):
 * a line each, labelled in the translation's own language ("Орчуулга · Монгол"), so that
 * the readers it is for see that it is a translation. Returns {el, update(list)}. */
export function createScreenTranslations(className) {
  const root = el("div", { className: `screen-translations ${className}` });
  root.hidden = true;
  let current = [];
  function update(list) {
    current = list;
    root.hidden = list.length === 0;
    const key = list.map((x) => `${x.lang}\u0001${x.text}\u0001${CATALOGUES[x.lang] ? 1 : 0}`).join("\u0000");
    if (shownTexts.get(root) === key) return;
    shownTexts.set(root, key);
    root.replaceChildren(
      ...list.map((x) =>
        el(
          "p",
          { className: "screen-translation", data: { lang: x.lang } },
          el("span", { className: "screen-translation-label", text: `${t("present.translated", null, x.lang)} · ${t(`lang.${x.lang}`)}`, attrs: { lang: x.lang } }),
          el("span", { className: "screen-translation-text", text: x.text, attrs: { lang: x.lang } }),
        ),
      ),
    );
    // A language whose catalogue this page has not fetched labels in English until it has.
    for (const x of list) if (!CATALOGUES[x.lang]) loadLang(x.lang).then(() => update(current), () => {});
  }
  return { el: root, update };
}
