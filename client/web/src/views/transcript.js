// The rapporteur's transcript panel: export buttons with progress, and the timeline.
// The routes want the role key in an Authorization header (never in a URL), so each file
// is fetched, read chunk by chunk (bytes received, of Content-Length when the server
// knows it), and handed to the browser as a blob. Reports come in the page's language.
// The timeline is rebuilt from the room's log after every snapshot (the JSON transcript,
// read line by line; timeline.js) and grows with each live event, one line per seq, so a
// reload keeps it (issue 13).

import { clear, el, setText } from "../dom.js";
import { getLang, t } from "../i18n.js";
import { formatDual, isoTime } from "../time.js";
import { createLineSplitter, createLogReader, mergeLines, TIMELINE_LIMIT, timelineLine } from "../timeline.js";

export { timelineLine };

const FORMATS = [
  { ext: "docx", label: "DOCX" },
  { ext: "html", label: "HTML" },
  { ext: "md", label: "Markdown" },
  { ext: "csv", label: "CSV" },
  { ext: "json", label: "JSON" },
];

/** "950 B", "12.3 KB", "4.5 MB". */
export function formatBytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

/** The file name of a Content-Disposition header, or null. */
export function dispositionName(header) {
  const found = /filename="([^"]+)"/i.exec(header || "");
  return found ? found[1] : null;
}

class DownloadError extends Error {
  constructor(status) {
    super(String(status));
    this.status = status;
  }
}

function errorMessage(error) {
  const status = error instanceof DownloadError ? error.status : null;
  if (status === 401 || status === 403) return t("rap.error_auth", { status });
  if (status === 404) return t("rap.error_not_found", { status });
  if (status !== null) return t("rap.download_failed", { status });
  return t("rap.error_network");
}

function save(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = el("a", { attrs: { href: url, download: name } });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** code: room code; key: the rapporteur or moderator key; notice: for failures. */
export function createTranscriptPanel({ code, key, notice }) {
  let busy = false;
  let eventId = null;
  let subscribed = null;
  let lines = [];
  let shownLang = null;
  let shownCount = -1;

  const progress = el("progress", { attrs: { max: 1, hidden: true } });
  const status = el("p", { className: "hint", attrs: { role: "status", "aria-live": "polite" } });
  const error = el("p", { className: "form-error", attrs: { role: "alert", hidden: true } });
  let lastStatus = null; // {key, params}: re-translated on a language change

  function showStatus(statusKey, params) {
    lastStatus = statusKey ? { key: statusKey, params } : null;
    setText(status, lastStatus ? t(statusKey, params) : "");
  }

  function showProgress(label, received, total) {
    progress.hidden = false;
    if (total > 0) {
      progress.max = total;
      progress.value = Math.min(received, total);
      showStatus("rap.progress_of", { format: label, size: formatBytes(received), total: formatBytes(total) });
    } else {
      progress.removeAttribute("value"); // indeterminate: the server streams without a length
      showStatus("rap.progress", { format: label, size: formatBytes(received) });
    }
  }

  async function download(ext, label) {
    if (busy || !key) return;
    busy = true;
    setBusy();
    error.hidden = true;
    const lang = encodeURIComponent(getLang());
    const url =
      ext === "zip"
        ? `/api/events/${encodeURIComponent(eventId)}/transcript.zip?lang=${lang}`
        : `/api/rooms/${encodeURIComponent(code)}/transcript.${ext}?lang=${lang}`;
    const fallback = ext === "zip" ? `${eventId}-transcripts.zip` : `${code}-transcript.${ext}`;
    showProgress(label, 0, 0);
    try {
      const response = await fetch(url, { headers: { authorization: `Bearer ${key}` }, cache: "no-store" });
      if (!response.ok) throw new DownloadError(response.status);
      const total = Number(response.headers.get("content-length")) || 0;
      const chunks = [];
      let received = 0;
      if (response.body && typeof response.body.getReader === "function") {
        const reader = response.body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          chunks.push(value);
          received += value.byteLength;
          showProgress(label, received, total);
        }
      } else {
        const whole = new Uint8Array(await response.arrayBuffer());
        chunks.push(whole);
        received = whole.byteLength;
      }
      if (total > 0 && received < total) throw new Error("cut short");
      const type = response.headers.get("content-type") || "application/octet-stream";
      save(new Blob(chunks, { type }), dispositionName(response.headers.get("content-disposition")) || fallback);
      showStatus("rap.done", { format: label, size: formatBytes(received) });
    } catch (failure) {
      const message = errorMessage(failure);
      setText(error, message);
      error.hidden = false;
      showStatus(null);
      notice?.show(message, "error");
    } finally {
      progress.hidden = true;
      busy = false;
      setBusy();
    }
  }

  const buttons = FORMATS.map(({ ext, label }) => {
    const button = el("button", { attrs: { type: "button", "data-format": ext }, on: { click: () => download(ext, label) } });
    button.dataset.label = label;
    return button;
  });
  const zipButton = el("button", {
    attrs: { type: "button", "data-format": "zip" },
    on: { click: () => download("zip", "ZIP") },
  });

  function setBusy() {
    for (const b of buttons) b.disabled = busy;
    zipButton.disabled = busy || !eventId;
  }

  const timelineList = el("ul", { id: "timeline", className: "timeline", attrs: { "aria-labelledby": "title-timeline" } });
  const timelineEmpty = el("p", { className: "hint", i18n: "rap.timeline_empty" });
  const timelineStatus = el("p", { id: "timeline-status", className: "hint", attrs: { "aria-live": "polite", hidden: true } });
  let timelineNote = null; // {key, params}: re-translated on a language change

  function showTimelineStatus(noteKey, params) {
    timelineNote = noteKey ? { key: noteKey, params } : null;
    setText(timelineStatus, timelineNote ? t(noteKey, params) : "");
    timelineStatus.hidden = !timelineNote;
  }

  const root = el(
    "section",
    { id: "transcript", className: "card transcript", attrs: { "aria-labelledby": "title-transcript" } },
    el("h2", { id: "title-transcript", i18n: "rap.transcript" }),
    el("p", { className: "hint", i18n: "rap.report_lang_hint" }),
    el("div", { className: "button-row" }, buttons, zipButton),
    progress,
    status,
    error,
    el("h3", { id: "title-timeline", i18n: "rap.timeline" }),
    el("p", { className: "hint", i18n: "rap.timeline_hint" }),
    timelineStatus,
    timelineEmpty,
    timelineList,
  );

  function renderTimeline() {
    if (shownLang === getLang() && shownCount === lines.length) return;
    shownLang = getLang();
    shownCount = lines.length;
    clear(timelineList);
    for (const line of lines) {
      timelineList.append(
        el(
          "li",
          { data: { kind: line.key, seq: String(line.seq ?? "") } },
          el("time", { text: formatDual(line.ts), attrs: { datetime: isoTime(line.ts) } }),
          " — ",
          t(line.key, line.params),
        ),
      );
    }
    timelineEmpty.hidden = lines.length > 0;
  }

  /** The timeline as the room's log has it: read after every snapshot (a join, or a
   * resume too far behind), since a snapshot says what is, not what happened. */
  let loading = null;
  async function loadLog() {
    if (!key) return;
    loading?.abort();
    const abort = new AbortController();
    loading = abort;
    showTimelineStatus("rap.timeline_loading");
    try {
      const response = await fetch(`/api/rooms/${encodeURIComponent(code)}/transcript.json`, {
        headers: { authorization: `Bearer ${key}` },
        cache: "no-store",
        signal: abort.signal,
      });
      if (!response.ok) throw new DownloadError(response.status);
      const log = createLogReader();
      const splitter = createLineSplitter();
      const decoder = new TextDecoder();
      let found = [];
      const take = (entries) => {
        for (const entry of entries) {
          const line = log.add(entry);
          if (line) found.push(line);
        }
        if (found.length > 2 * TIMELINE_LIMIT) found = found.slice(-TIMELINE_LIMIT); // bounded memory
      };
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        take(splitter.push(decoder.decode(value, { stream: true })));
      }
      take(splitter.push(decoder.decode()));
      take(splitter.end());
      if (loading !== abort) return;
      lines = mergeLines(found, lines);
      shownCount = -1;
      showTimelineStatus(null);
      renderTimeline();
    } catch (failure) {
      if (abort.signal.aborted) return;
      const status = failure instanceof DownloadError ? failure.status : "—";
      showTimelineStatus("rap.timeline_failed", { status });
    } finally {
      if (loading === abort) loading = null;
    }
  }

  function follow(store) {
    if (subscribed === store || !store?.subscribe) return;
    subscribed = store;
    store.subscribe((change) => {
      if (change.kind === "snapshot") {
        loadLog();
        return;
      }
      const line = timelineLine(change, store);
      if (!line) return;
      lines = mergeLines(lines, [{ ...line, ts: change.ts, seq: change.seq }]);
      shownCount = -1;
      renderTimeline();
    });
    if (store.seq != null) loadLog(); // the first snapshot came before this panel
  }

  function update(store) {
    follow(store);
    eventId = store?.room?.event?.id ?? eventId;
    for (const b of buttons) b.textContent = t("rap.download", { format: b.dataset.label });
    setText(zipButton, t("rap.download_all"));
    if (lastStatus) setText(status, t(lastStatus.key, lastStatus.params));
    if (timelineNote) setText(timelineStatus, t(timelineNote.key, timelineNote.params));
    setBusy();
    renderTimeline();
    root.hidden = !key;
  }

  return { el: root, update };
}
