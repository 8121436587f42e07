import { existsSync } from "node:fs";
import path from "node:path";
import express, { type Router } from "express";
import { projectRoot } from "../paths";

export interface DashboardOptions {
  /** The built dashboard (index.html, app.js, app.css); default dist/dashboard in the project root. */
  dir?: string;
}

/**
 * The web dashboard at /: static files built from dashboard/ by `npm run build:dashboard` (npm
 * start and npm test build them), every asset local so it works offline. Only files that exist
 * there are served, so /graphql and every other route are untouched.
 */
export function dashboardRouter(options: DashboardOptions = {}): Router {
  const dir = options.dir ?? path.join(projectRoot(), "dist", "dashboard");
  const router = express.Router();
  if (!existsSync(path.join(dir, "index.html"))) {
    router.get("/", (_req, res) => {
      res.status(503).type("text").send(`The dashboard is not built (no ${path.join(dir, "index.html")}): run \`npm run build\`, or start the server with \`npm start\`, which builds it.\n`);
    });
    return router;
  }
  // The file names do not change between builds, so browsers revalidate (ETag) instead of caching.
  router.use(express.static(dir, { index: "index.html", maxAge: 0, redirect: false }));
  return router;
}
