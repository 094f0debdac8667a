// The service worker (issue 13): not yet written; build.mjs bundles this file into build/sw.js.
