// Registers the service worker (src/sw.js, served at /sw.js) that keeps the app shell for
// a reload without network (issue 13), and tells it which files this page loaded before
// it was in control, so that the first visit is enough.

/** Call once per page; does nothing where service workers are unavailable (http: on a LAN name). */
export function keepShell(nav = globalThis.navigator) {
  if (!nav?.serviceWorker || !globalThis.PerformanceObserver) return;
  nav.serviceWorker
    .register("/sw.js")
    .then(() => nav.serviceWorker.ready)
    .then((registration) => {
      const tell = (urls) => urls.length && registration.active?.postMessage({ keep: urls });
      tell([`${location.origin}${location.pathname}`]);
      // Every file fetched so far and from now on; the worker skips what it already has.
      new PerformanceObserver((list) => tell(staticUrls(list.getEntries()))).observe({ type: "resource", buffered: true });
    })
    .catch(() => {}); // no worker: the page works as before, only not offline
}

/** The same-origin /static/ files among performance entries. */
export function staticUrls(entries, origin = globalThis.location?.origin) {
  return entries.map((e) => e.name).filter((name) => {
    try {
      const url = new URL(name);
      return url.origin === origin && url.pathname.startsWith("/static/");
    } catch {
      return false;
    }
  });
}
