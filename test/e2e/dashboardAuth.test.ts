import { afterAll, beforeAll, expect, test } from "vitest";
import { startTestServer, type TestServer } from "../helpers/testServer";
import { dashboardUrl, launchBrowser, screenshot, type TestBrowser } from "./browser";

// The dashboard against a server that wants API keys: it asks for one, then works with it.
let server: TestServer;
let browser: TestBrowser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startTestServer({ auth: "on" }), launchBrowser()]);
  const admin = server.as(server.adminKey);
  await admin.ok(`mutation { createStudy(input: { name: "guarded", searchSpace: [{ name: "x", type: FLOAT, low: 0, high: 1 }] }) { id } }`);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

test("asks for an API key, shows nothing without one, and the studies once it is given", async () => {
  const page = await browser.page();
  await page.goto(dashboardUrl(server.url));
  const keyInput = page.locator('input[aria-label="API key"]');
  await expect.poll(() => keyInput.isVisible()).toBe(true);
  expect(await page.locator('tr[data-study="guarded"]').count()).toBe(0);
  await screenshot(page, "api-key");
  await keyInput.fill(server.adminKey!);
  await page.locator("button", { hasText: "Use key" }).click();
  await expect.poll(() => page.locator('tr[data-study="guarded"]').count()).toBe(1);
  // A wrong key is refused again with the bar, not with a broken page.
  await page.evaluate(`localStorage.setItem("graphtune.apiKey", "gt_1_wrong")`);
  await page.reload();
  await expect.poll(() => keyInput.isVisible()).toBe(true);
  expect(await page.locator('tr[data-study="guarded"]').count()).toBe(0);
  await page.context().close();
});
