// The service worker (issue 13): keeps the app shell so that a reload without network
// still opens the room, which then shows "Offline · n not synced" and sends its outbox
// when the network returns (commands.js). Served at /sw.js, unhashed and `no-cache`;
// build.mjs bundles this file with SHELL_VERSION, a digest of the build's file names, so
// a new build installs a new worker that drops the old files.
//
//   /static/*           cache first: hashed names never change (server/http/assets.py)
//   pages (/, /r/...)   network first, the cached copy when the network fails
//   /api/, /ws, others  not touched: live data is never served from a cache

/* global SHELL_VERSION */
const PREFIX = "workshop-shell-";
const CACHE = `${PREFIX}${SHELL_VERSION}`;

const isPage = (path) => path === "/" || path.startsWith("/r/");

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
      await self.clients.claim();
    })(),
  );
});

// The page names what it loaded before this worker controlled it (offline-shell.js).
self.addEventListener("message", (event) => {
  const urls = Array.isArray(event.data?.keep) ? event.data.keep : [];
  event.waitUntil(Promise.all(urls.map(keep)));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/static/")) event.respondWith(cacheFirst(request));
  else if (isPage(url.pathname)) event.respondWith(networkFirst(request));
});

async function keep(href) {
  const url = new URL(href, self.location.origin);
  if (url.origin !== self.location.origin || !(url.pathname.startsWith("/static/") || isPage(url.pathname))) return;
  const cache = await caches.open(CACHE);
  if (url.pathname.startsWith("/static/") && (await cache.match(url.href))) return;
  try {
    const response = await fetch(url.href); // the HTTP cache answers most of these
    if (response.ok) await cache.put(pageKey(url), response);
  } catch {
    // offline already: nothing to keep
  }
}

/** Pages are kept without their query string (?lang=..., a #key= never reaches here). */
function pageKey(url) {
  return isPage(url.pathname) ? `${url.origin}${url.pathname}` : url.href;
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(request);
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  const url = new URL(request.url);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(pageKey(url), response.clone());
    return response;
  } catch (err) {
    const kept = (await cache.match(pageKey(url))) || (await anyRoomPage(cache, url));
    if (kept) return kept;
    throw err;
  }
}

/** Another view of the same room (its HTML is the same but for the preloads). */
async function anyRoomPage(cache, url) {
  const code = url.pathname.split("/")[2];
  if (!code) return undefined;
  for (const request of await cache.keys()) {
    if (new URL(request.url).pathname.split("/")[2] === code) return cache.match(request);
  }
  return undefined;
}
