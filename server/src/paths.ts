import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

/** The repository root (the folder of the root package.json), whether running from src/ or dist/. */
export function projectRoot(): string {
  let dir = __dirname;
  for (;;) {
    const file = path.join(dir, "package.json");
    if (existsSync(file) && JSON.parse(readFileSync(file, "utf8")).name === "graphtune") return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("cannot find the graphtune package root above " + __dirname);
    dir = parent;
  }
}
