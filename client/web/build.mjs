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

const js = await esbuild.build({
  ...common,
  entryPoints: { app: join(here, "src/main.js") },
  format: "esm",
  splitting: true,
  target: ["es2020"],
  // "linked" keeps the sourceMappingURL comment, so devtools find the map when it is served.
  sourcemap: "linked",
  // Module scripts are always read as UTF-8, so the ja/mn catalogues need no \u escapes.
  charset: "utf8",
  legalComments: "linked",
});

// CSS goes through esbuild too, so styles.css may @import the per-view sheets.
const css = await esbuild.build({ ...common, entryPoints: { app: join(here, "src/styles.css") } });

const served = [];
for (const file of [...js.outputFiles, ...css.outputFiles]) {
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

/** `source`'s output file and every file it imports statically, transitively. */
function closure(source, into = new Set()) {
  const visit = (path) => {
    const name = relative(DIST, join(here, path));
    if (into.has(name)) return;
    into.add(name);
    for (const i of js.metafile.outputs[path].imports) if (i.kind === "import-statement") visit(i.path);
  };
  const [path] = Object.entries(js.metafile.outputs).find(([, out]) => out.entryPoint === source);
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
const views = {};
for (const [view, sources] of Object.entries(VIEW_SOURCES)) {
  const files = closure("src/main.js");
  for (const source of sources) closure(source, files);
  files.delete(app.name);
  views[view] = [...files].sort();
}
const manifest = { "app.js": app.name, "app.css": appCss.name, views, files: served.sort() };
await writeFile(join(BUILD, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
const meta = { inputs: { ...js.metafile.inputs, ...css.metafile.inputs }, outputs: { ...js.metafile.outputs, ...css.metafile.outputs } };
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
