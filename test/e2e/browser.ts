import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { projectRoot } from "../../server/src/paths";

/** Debian's Chromium (package `chromium`); playwright-core downloads no browser of its own. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Where the tests leave screenshots of each page, for a person to look at (gitignored). */
export const ARTIFACTS = path.join(projectRoot(), "test-artifacts");

export interface TestBrowser {
  browser: Browser;
  /** A fresh page of a fresh context at 1400×900, its console errors collected in `errors`. */
  page(): Promise<Page & { errors: string[] }>;
  close(): Promise<void>;
}

/** Headless Chromium; playwright gives it a fresh profile folder (--user-data-dir) and removes it on close. */
export async function launchBrowser(): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install Debian's package (apt-get install chromium) or set CHROMIUM_PATH.`);
  }
  if (!existsSync(path.join(projectRoot(), "dist", "dashboard", "index.html"))) {
    throw new Error("the dashboard is not built: run `npm run build` (npm test does) before these tests.");
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  mkdirSync(ARTIFACTS, { recursive: true });
  return {
    browser,
    async page() {
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      const page = (await context.newPage()) as Page & { errors: string[] };
      page.errors = [];
      page.on("pageerror", (e) => page.errors.push(String(e)));
      page.on("console", (m) => {
        if (m.type() === "error") page.errors.push(m.text());
      });
      return page;
    },
    async close() {
      await browser.close();
    },
  };
}

/** The dashboard's address on a test server (its GraphQL url minus /graphql). */
export function dashboardUrl(graphqlUrl: string, hash = "#/"): string {
  return graphqlUrl.replace(/graphql$/, "") + hash;
}

/** A full-page screenshot under test-artifacts/. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}
