// The rapporteur's transcript downloads. The route wants the role key in an Authorization
// header (never in a URL), so the file is fetched and handed to the browser as a blob.

import { el } from "../dom.js";
import { t } from "../i18n.js";

const FORMATS = [
  { ext: "docx", label: "DOCX" },
  { ext: "html", label: "HTML" },
  { ext: "md", label: "Markdown" },
  { ext: "csv", label: "CSV" },
  { ext: "json", label: "JSON" },
];

/** code: room code; key: the rapporteur or moderator key; notice: for failures. */
export function createTranscriptPanel({ code, key, notice }) {
  async function download(ext) {
    try {
      const response = await fetch(`/api/rooms/${encodeURIComponent(code)}/transcript.${ext}`, {
        headers: { authorization: `Bearer ${key}` },
      });
      if (!response.ok) throw new Error(String(response.status));
      const url = URL.createObjectURL(await response.blob());
      const link = el("a", { attrs: { href: url, download: `${code}-transcript.${ext}` } });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      notice.show(t("rap.download_failed", { status: error.message }), "error");
    }
  }

  const buttons = FORMATS.map(({ ext, label }) => {
    const button = el("button", { attrs: { type: "button", "data-format": ext }, on: { click: () => download(ext) } });
    button.dataset.label = label;
    return button;
  });
  const root = el(
    "section",
    { id: "transcript", className: "card transcript", attrs: { "aria-labelledby": "title-transcript" } },
    el("h2", { id: "title-transcript", i18n: "rap.transcript" }),
    el("div", { className: "button-row" }, buttons),
  );

  function update() {
    for (const b of buttons) b.textContent = t("rap.download", { format: b.dataset.label });
    root.hidden = !key;
  }

  return { el: root, update };
}
