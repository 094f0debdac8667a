// Bundles the browser client (issue 13, "Quality bars"):
//
//   dist/             served under /static/: hashed names ("app-XXXXXXXX.js", "chunk-XXXXXXXX.js"),
//                     each with a .br and a .gz beside it, precompressed here, not per request
//   build/manifest.json  what the server puts into pages/*.html: the entry names, and for
//                     each view the chunks it will import (<link rel="modulepreload">)
//   build/meta.json   esbuild's metafile: which source modules ended up in which file
//   build/maps/       the source maps, outside the served folder (WORKSHOP_SOURCE_MAPS=1 serves them)
//   build/sw.js       the service worker, served at /sw.js, with this build's file list
//
// Code splitting: main.js imports the room page and each view with import(), so a page
// downloads only what it shows (the projector never gets the notes editor and yjs).
import * as esbuild from "esbuild";
import { fileURLToPath } from "node:url";
import { basename, dirname, join, relative } from "node:path";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const here = dirname(fileURLToPath(import.meta.url));
const DIST = join(here, "dist");
const BUILD = join(here, "build");
const MAPS = join(BUILD, "maps");
// Smaller than this, a compressed copy saves less than its headers cost.
const MIN_COMPRESS = 512;

await rm(DIST, { recursive: true, force: true });
await rm(BUILD, { recursive: true, force: true });
await mkdir(DIST, { recursive: true });
await mkdir(MAPS, { recursive: true });

const common = {
  absWorkingDir: here,
  outdir: DIST,
  bundle: true,
  minify: true,
  entryNames: "[name]-[hash]",
  chunkNames: "[name]-[hash]",
  assetNames: "[name]-[hash]",
  metafile: true,
  write: false,
  logLevel: "info",
};

// CSS goes through esbuild too, so styles.css may @import the per-view sheets. The organiser
// and handout pages' sheet is a file of its own (a participant never loads it: issue 13's
// 80 KB); built first, so that the script that adds it knows its hashed name.
const css = await esbuild.build({
  ...common,
  entryPoints: { app: join(here, "src/styles.css"), organise: join(here, "src/styles/organise.css") },
});
const [organiseCss] = Object.entries(css.metafile.outputs).find(([, out]) => out.entryPoint === "src/styles/organise.css");

const scripts = {
  format: "esm",
  splitting: true,
  target: ["es2020"],
  // "linked" keeps the sourceMappingURL comment, so devtools find the map when it is served.
  sourcemap: "linked",
  // Module scripts are always read as UTF-8, so the ja/mn catalogues need no \u escapes.
  charset: "utf8",
  legalComments: "linked",
};

// The organiser's pages (issue 15) are a bundle of their own, with their own copies of the
// modules they share with the room pages: as chunks of the app they changed how esbuild
// split the participant's files (three more requests, 1.7 KB over issue 13's 80 KB in ja).
// main.js imports them by the names this build gives them (ORGANISER_JS, HANDOUT_JS).
const organise = await esbuild.build({
  ...common,
  ...scripts,
  entryPoints: { organiser: join(here, "src/views/organiser.js"), handout: join(here, "src/views/handout.js") },
  define: { ORGANISE_CSS: JSON.stringify(basename(organiseCss)) }, // views/organise-assets.js
});
const pageOf = (source) => basename(Object.entries(organise.metafile.outputs).find(([, out]) => out.entryPoint === source)[0]);

const js = await esbuild.build({
  ...common,
  ...scripts,
  entryPoints: { app: join(here, "src/main.js") },
  // Strings, not an object: an object define becomes a module of its own that esbuild
  // initialises lazily in every chunk (44 bytes each).
  define: { ORGANISER_JS: JSON.stringify(pageOf("src/views/organiser.js")), HANDOUT_JS: JSON.stringify(pageOf("src/views/handout.js")) },
});

const served = [];
for (const file of [...js.outputFiles, ...organise.outputFiles, ...css.outputFiles]) {
  const name = relative(DIST, file.path);
  if (name.endsWith(".map")) {
    await writeFile(join(MAPS, name), file.contents);
    continue;
  }
  await writeFile(file.path, file.contents);
  served.push(name);
  if (file.contents.length < MIN_COMPRESS) continue;
  const br = brotliCompressSync(file.contents, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: file.contents.length,
      [constants.BROTLI_PARAM_MODE]: name.endsWith(".txt") ? constants.BROTLI_MODE_TEXT : constants.BROTLI_MODE_GENERIC,
    },
  });
  await writeFile(`${file.path}.br`, br);
  await writeFile(`${file.path}.gz`, gzipSync(file.contents, { level: constants.Z_BEST_COMPRESSION }));
}

/** The output file that esbuild built from the entry point `source`. */
function outputOf(meta, source) {
  const [path, info] = Object.entries(meta.outputs).find(([, out]) => out.entryPoint === source);
  return { name: relative(DIST, join(here, path)), info };
}

const app = outputOf(js.metafile, "src/main.js");
const appCss = outputOf(css.metafile, "src/styles.css");

/** `source`'s output file (in `meta`) and every file it imports statically, transitively. */
function closure(source, into = new Set(), meta = js.metafile) {
  const visit = (path) => {
    const name = relative(DIST, join(here, path));
    if (into.has(name)) return;
    into.add(name);
    for (const i of meta.outputs[path].imports) if (i.kind === "import-statement") visit(i.path);
  };
  const [path] = Object.entries(meta.outputs).find(([, out]) => out.entryPoint === source);
  visit(path);
  return into;
}
// What each page's view imports (room.js's VIEWS), fetched with <link rel="modulepreload">.
// (notes.js comes with the participant's and the moderator's view, which re-export NotesSync.)
const VIEW_SOURCES = {
  landing: ["src/views/landing.js"],
  participant: ["src/room.js", "src/views/participant.js"],
  moderator: ["src/room.js", "src/views/moderator.js"],
  rapporteur: ["src/room.js", "src/views/moderator.js"],
  presenter: ["src/room.js", "src/views/presenter.js"],
  interpreter: ["src/room.js", "src/views/interpreter.js"],
  admin: ["src/views/admin.js"],
};
const ORGANISE_SOURCES = { organiser: "src/views/organiser.js", handout: "src/views/handout.js" }; // issue 15
const views = {};
for (const [view, sources] of Object.entries(VIEW_SOURCES)) {
  const files = closure("src/main.js");
  for (const source of sources) closure(source, files);
  files.delete(app.name);
  views[view] = [...files].sort();
}
for (const [view, source] of Object.entries(ORGANISE_SOURCES)) {
  const files = closure("src/main.js");
  files.delete(app.name);
  views[view] = [...closure(source, files, organise.metafile)].sort();
}
const manifest = { "app.js": app.name, "app.css": appCss.name, views, files: served.sort() };
await writeFile(join(BUILD, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
const meta = {
  inputs: { ...js.metafile.inputs, ...organise.metafile.inputs, ...css.metafile.inputs },
  outputs: { ...js.metafile.outputs, ...organise.metafile.outputs, ...css.metafile.outputs },
};
await writeFile(join(BUILD, "meta.json"), JSON.stringify(meta));

// The service worker: unhashed (browsers look for updates at a fixed URL), its cache named
// after this build so that a new build replaces the old files.
const version = createHash("sha256").update(served.join("\n")).digest("hex").slice(0, 12);
await esbuild.build({
  absWorkingDir: here,
  entryPoints: [join(here, "src/sw.js")],
  outfile: join(BUILD, "sw.js"),
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  charset: "utf8",
  define: { SHELL_VERSION: JSON.stringify(version) },
  logLevel: "info",
});
console.log(`${basename(DIST)}/: ${served.length} files, manifest ${manifest["app.js"]} ${manifest["app.css"]}, build ${version}`);
