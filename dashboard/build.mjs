// Bundles the dashboard into dist/dashboard/ (index.html, app.js, app.css): one small script and
// one stylesheet, every asset local, so the page works offline. Run by `npm run build:dashboard`,
// which `npm run build` (and so `npm start` and `npm test`) runs after tsc.
import { build } from "esbuild";
import { copyFile, mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const outdir = path.join(here, "..", "dist", "dashboard");
const started = Date.now();

await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });
const result = await build({
  entryPoints: { app: path.join(here, "src", "main.ts") },
  outdir,
  bundle: true,
  minify: true,
  format: "iife",
  platform: "browser",
  target: ["es2022"],
  sourcemap: "linked",
  legalComments: "linked",
  metafile: true,
  logLevel: "warning",
});
await copyFile(path.join(here, "index.html"), path.join(outdir, "index.html"));

if (process.argv.includes("--report")) {
  for (const [file, { bytes }] of Object.entries(result.metafile.outputs)) {
    console.log(`${path.relative(process.cwd(), file)}\t${(bytes / 1024).toFixed(1)} KiB`);
  }
  console.log(`built in ${Date.now() - started} ms`);
}
