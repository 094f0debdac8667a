// A row of action buttons (a question's or a poll's), rebuilt only when the list of
// actions or the language changes, and hidden when there is none.

import { getLang } from "../i18n.js";

export function actionBar(container, button) {
  let shown = "";
  return (list) => {
    const key = `${getLang()}|${list.join(",")}`;
    if (key === shown) return;
    shown = key;
    container.replaceChildren(...list.map(button));
    container.hidden = list.length === 0;
  };
}
