// Bundles the browser client: src/main.js -> dist/app.js, src/styles.css -> dist/app.css.
// The server serves dist/ under /static/; pages/*.html load only these two files.
import * as esbuild from "esbuild";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const here = dirname(fileURLToPath(import.meta.url));

await esbuild.build({
  absWorkingDir: here,
  entryPoints: { app: join(here, "src/main.js") },
  outdir: join(here, "dist"),
  bundle: true,
  format: "esm",
  target: ["es2020"],
  minify: true,
  sourcemap: true,
  // Module scripts are always read as UTF-8, so the ja/mn catalogues need no \u escapes.
  charset: "utf8",
  legalComments: "linked",
  logLevel: "info",
});

// CSS goes through esbuild too, so styles.css may @import the per-view sheets.
await esbuild.build({
  absWorkingDir: here,
  entryPoints: { app: join(here, "src/styles.css") },
  outdir: join(here, "dist"),
  bundle: true,
  minify: true,
  logLevel: "info",
});
