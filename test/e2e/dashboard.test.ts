import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestServer, type TestServer } from "../helpers/testServer";
import { dashboardUrl, launchBrowser, screenshot, type TestBrowser } from "./browser";
import { askTrial, report, seedStudy } from "./seed";

// The dashboard in a real headless Chromium against a real server: what a person sees and does.
let server: TestServer;
let browser: TestBrowser;
let studyId: string;
let paretoId: string;
let smallId: string;

beforeAll(async () => {
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  studyId = await seedStudy(server, "quadratic-random", 24);
  paretoId = await seedStudy(server, "two-objectives", 16, ["MINIMIZE", "MINIMIZE"]);
  smallId = await seedStudy(server, "quadratic-short", 8);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe("dashboard", () => {
  test("is served at / without touching /graphql", async () => {
    const html = await fetch(dashboardUrl(server.url, "")).then((r) => r.text());
    expect(html).toContain('<script src="app.js"></script>');
    const ide = await fetch(server.url, { headers: { accept: "text/html" } }).then((r) => r.text());
    expect(ide).toContain("GraphQL IDE");
    expect(await server.ok(`{ studies { totalCount } }`)).toEqual({ studies: { totalCount: 3 } });
  });

  test("the studies list shows each study and filters by name", async () => {
    const page = await browser.page();
    await page.goto(dashboardUrl(server.url));
    const rows = page.locator("table.studies tbody tr");
    await expect.poll(() => rows.count()).toBe(3);
    const quadratic = page.locator('tr[data-study="quadratic-random"]');
    await expect.poll(() => quadratic.textContent()).toMatch(/RANDOM.*24.*18 complete.*6 pruned/);
    await screenshot(page, "studies");
    await page.fill('input[type="search"]', "objectives");
    await expect.poll(() => rows.allTextContents()).toEqual([expect.stringContaining("two-objectives")]);
    expect(page.errors).toEqual([]);
    await page.context().close();
  });

  test("a study shows its history, and its curves move live while metrics are reported", async () => {
    const page = await browser.page();
    await page.goto(dashboardUrl(server.url, `#/study/${studyId}`));
    // 24 trials have values: 18 complete, 6 pruned (with their last intermediate value).
    await expect.poll(() => page.getAttribute("#history", "data-points")).toBe("24");
    await expect.poll(() => page.getAttribute("#curves", "data-curves")).toBe("24");
    await expect.poll(() => page.locator(".trial-table tbody tr").count()).toBe(24);
    // Importances: drawn when the served API has Study.paramImportances, else a plain note.
    const { __type } = await server.ok(`{ __type(name: "Study") { fields { name } } }`);
    const hasImportances = __type.fields.some((f: { name: string }) => f.name === "paramImportances");
    const importance = page.locator(".card", { hasText: "Hyperparameter importance" });
    if (hasImportances) await expect.poll(() => importance.locator(".bar-row").count()).toBe(4);
    else await expect.poll(() => importance.textContent()).toContain("Not available");

    const trial = await askTrial(server, studyId);
    const pointsBefore = Number(await page.getAttribute("#curves", "data-points"));
    for (let step = 0; step < 5; step++) {
      await report(server, trial.id, [{ step, value: 8 - step }]);
      // Each reported point reaches the chart over graphql-ws, without reloading.
      await expect.poll(() => page.getAttribute("#curves", "data-points")).toBe(String(pointsBefore + step + 1));
    }
    await expect.poll(() => page.getAttribute("#curves", "data-curves")).toBe("25");
    await expect.poll(() => page.locator('.trial-table tr[data-trial="24"]').textContent()).toContain("RUNNING");
    // Parallel coordinates, slices and the contour: drawn once the trials are in.
    await expect.poll(() => page.getAttribute("#parallel", "data-trials")).toBe("18");
    await screenshot(page, "study");
    await server.ok(`mutation($t: ID!) { tellTrial(trialId: $t, state: COMPLETE, values: [0.5]) { id } }`, { t: trial.id });
    await expect.poll(() => page.getAttribute("#history", "data-points")).toBe("25");
    await expect.poll(() => page.getAttribute("#parallel", "data-trials")).toBe("19");
    await expect.poll(() => page.locator('.trial-table tr[data-trial="24"]').textContent()).toContain("COMPLETE");

    // The table sorts, filters by state and by a parameter, and pages without asking the server.
    await page.locator("th", { hasText: "value" }).first().click();
    await expect.poll(() => page.locator(".trial-table tbody tr").first().textContent()).toMatch(/^24/);
    await page.locator('input[data-state="COMPLETE"]').uncheck();
    await expect.poll(() => page.locator(".trial-table tbody tr").count()).toBe(6);
    await page.locator('input[data-state="COMPLETE"]').check();
    await page.selectOption('select[aria-label="filter parameter"]', "optimizer");
    await page.selectOption('select[aria-label="optimizer value"]', "adam");
    const optimizers = await page.locator(".trial-table tbody tr td:last-child").allTextContents();
    expect(optimizers.length).toBeGreaterThan(0);
    expect(new Set(optimizers)).toEqual(new Set(["adam"]));
    expect(page.errors).toEqual([]);
    await page.context().close();
  });

  test("a multi-objective study shows its Pareto front", async () => {
    const page = await browser.page();
    await page.goto(dashboardUrl(server.url, `#/study/${paretoId}`));
    await expect.poll(() => page.locator("h2", { hasText: "Pareto front" }).count()).toBe(1);
    await expect.poll(() => page.getAttribute("#history", "data-points")).toBe("16");
    await expect.poll(() => page.getAttribute("#parallel", "data-trials")).toBe("12");
    await screenshot(page, "study-pareto");
    expect(page.errors).toEqual([]);
    await page.context().close();
  });

  test("a running trial is pruned from its page, and the API says PRUNED", async () => {
    const trial = await askTrial(server, studyId);
    await report(server, trial.id, [
      { step: 0, value: 3 },
      { step: 1, value: 2.5 },
      { step: 0, value: 0.4, name: "accuracy" } as never,
    ]);
    const page = await browser.page();
    await page.goto(dashboardUrl(server.url, `#/trial/${trial.id}`));
    await expect.poll(() => page.locator("h1 .badge").textContent()).toBe("RUNNING");
    await expect.poll(() => page.locator(".series").count()).toBe(2);
    // Points reported while the page is open are drawn live.
    await expect.poll(() => page.getAttribute('.series[data-metric="objective"]', "data-points")).toBe("2");
    await report(server, trial.id, [{ step: 2, value: 2.2 }]);
    await expect.poll(() => page.getAttribute('.series[data-metric="objective"]', "data-points")).toBe("3");
    await page.fill('input[aria-label="prune reason"]', "diverging");
    await screenshot(page, "trial-running");
    await page.click("#prune-trial");
    await expect.poll(() => page.locator("h1 .badge").textContent()).toBe("PRUNED");
    const { trial: stored } = await server.ok(`query($id: ID!) { trial(id: $id) { state pruneReason values } }`, { id: trial.id });
    expect(stored).toEqual({ state: "PRUNED", pruneReason: "diverging", values: [2.2] });
    await expect.poll(() => page.locator(".facts").textContent()).toContain("diverging");
    await screenshot(page, "trial");
    expect(page.errors).toEqual([]);
    await page.context().close();
  });

  test("a search is started from the page and cancelled from it", async () => {
    const page = await browser.page();
    await page.goto(dashboardUrl(server.url, `#/searches/${studyId}`));
    await page.fill('input[name="trainer"]', "command");
    await page.fill('input[name="argv"]', "node train.js {x}");
    await page.fill('input[name="nTrials"]', "5");
    await page.fill('input[name="concurrency"]', "2");
    await page.click('button[type="submit"]');
    const row = page.locator("tr[data-search]");
    await expect.poll(() => row.count()).toBe(1);
    await expect.poll(() => row.textContent()).toContain("QUEUED");
    expect(await page.locator(".card", { hasText: "Executors" }).textContent()).toContain("No executor is connected");
    await screenshot(page, "searches");
    const { study } = await server.ok(`query($id: ID!) { study(id: $id) { searches { id state nTrials concurrency task } } }`, { id: studyId });
    expect(study.searches).toEqual([expect.objectContaining({ state: "QUEUED", nTrials: 5, concurrency: 2, task: expect.objectContaining({ trainer: "command", argv: ["node", "train.js", "{x}"] }) })]);

    await page.click("button[data-cancel]");
    await expect.poll(() => row.textContent()).toContain("CANCELLED");
    const after = await server.ok(`query($id: ID!) { search(id: $id) { state } }`, { id: study.searches[0].id });
    expect(after.search.state).toBe("CANCELLED");
    expect(page.errors).toEqual([]);
    await page.context().close();
  });

  test("studies are compared side by side", async () => {
    const page = await browser.page();
    await page.goto(dashboardUrl(server.url, `#/compare/${studyId},${paretoId}`));
    await expect.poll(() => page.locator("table.compare thead th").count()).toBe(3);
    await expect.poll(() => page.locator("table.compare").textContent()).toContain("several objectives");
    // Ticking a third study adds its column and its best-so-far curve.
    await page.check('input[data-study="quadratic-short"]');
    await expect.poll(() => page.locator("table.compare thead th").count()).toBe(4);
    expect(page.url()).toContain(`#/compare/${studyId},${paretoId},${smallId}`);
    await expect.poll(() => page.locator(".u-legend .u-series").allTextContents()).toEqual([
      expect.stringContaining("trial"),
      expect.stringContaining("quadratic-random"),
      expect.stringContaining("quadratic-short"),
    ]);
    await page.waitForTimeout(300);
    await screenshot(page, "compare");
    expect(page.errors).toEqual([]);
    await page.context().close();
  });
});
