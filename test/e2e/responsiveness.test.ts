import pg from "pg";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startTestServer, type TestServer } from "../helpers/testServer";
import { dashboardUrl, launchBrowser, screenshot, type TestBrowser } from "./browser";

// A big study must stay usable: 10,000 trials with 100 points each, seeded straight into
// PostgreSQL (the API would take minutes), then opened in a real browser.
const TRIALS = 10_000;
const STEPS = 100;

let server: TestServer;
let browser: TestBrowser;
let studyId: string;

beforeAll(async () => {
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  const { createStudy } = await server.ok(`mutation($input: CreateStudyInput!) { createStudy(input: $input) { id } }`, {
    input: {
      name: "ten-thousand",
      searchSpace: [
        { name: "x", type: "FLOAT", low: -5, high: 5 },
        { name: "lr", type: "FLOAT", low: 1e-4, high: 1, log: true },
        { name: "layers", type: "INT", low: 1, high: 6 },
        { name: "optimizer", type: "CATEGORICAL", choices: ["adam", "sgd", "rmsprop"] },
      ],
    },
  });
  studyId = createStudy.id;
  const db = new pg.Client({ connectionString: server.databaseUrl });
  await db.connect();
  try {
    const started = performance.now();
    await db.query(
      `WITH params AS (
         SELECT n, -5 + 10 * random() AS x, 10 ^ (-4 + 4 * random()) AS lr, 1 + floor(6 * random())::int AS layers,
                (ARRAY['adam','sgd','rmsprop'])[1 + floor(3 * random())::int] AS optimizer
         FROM generate_series(0, $2::int - 1) n
       )
       INSERT INTO trials (study_id, number, state, params, "values", objective_value, started_at, completed_at)
       SELECT $1, n, CASE WHEN n % 5 = 4 THEN 'PRUNED' ELSE 'COMPLETE' END::trial_state,
              jsonb_build_object('x', x, 'lr', lr, 'layers', layers, 'optimizer', optimizer),
              ARRAY[x * x + layers], x * x + layers,
              now() - make_interval(secs => $2::int - n + 5), now() - make_interval(secs => $2::int - n)
       FROM params`,
      [studyId, TRIALS],
    );
    await db.query(`UPDATE studies SET next_trial_number = $2 WHERE id = $1`, [studyId, TRIALS]);
    await db.query(`INSERT INTO metric_series (trial_id, name) SELECT id, 'objective' FROM trials WHERE study_id = $1`, [studyId]);
    // A million points: the primary key is built once at the end (a bulk sort) instead of row by
    // row, foreign keys are not checked row by row, and the points skip the write-ahead log (this
    // database is dropped after the test). Reads see the same tables and indexes as ever.
    await db.query(`SET session_replication_role = replica`);
    await db.query(`ALTER TABLE metric_points SET UNLOGGED`);
    await db.query(`SET maintenance_work_mem = '256MB'`);
    const [{ conname }] = (await db.query(`SELECT conname FROM pg_constraint WHERE conrelid = 'metric_points'::regclass AND contype = 'p'`)).rows;
    await db.query(`ALTER TABLE metric_points DROP CONSTRAINT "${conname}"`);
    await db.query(
      `INSERT INTO metric_points (series_id, step, value, time)
       SELECT ms.id, s, t.objective_value + 10 * exp(-s / 20.0), now()
       FROM metric_series ms JOIN trials t ON t.id = ms.trial_id CROSS JOIN generate_series(0, $2::int - 1) s
       WHERE t.study_id = $1`,
      [studyId, STEPS],
    );
    await db.query(`ALTER TABLE metric_points ADD CONSTRAINT "${conname}" PRIMARY KEY (series_id, step)`);
    await db.query(`ANALYZE trials, metric_series, metric_points`);
    console.log(`seeded ${TRIALS} trials × ${STEPS} points in ${Math.round(performance.now() - started)} ms`);
  } finally {
    await db.end();
  }
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

test("a study of 10,000 trials with 100 points each renders fast and pages at once", async () => {
  const page = await browser.page();
  const opened = performance.now();
  await page.goto(dashboardUrl(server.url, `#/study/${studyId}`));
  await page.waitForSelector("#history[data-points]", { timeout: 20_000 });
  const firstRender = performance.now() - opened;
  await page.waitForSelector('.load-status[data-loaded="true"]', { timeout: 30_000 });
  const allLoaded = performance.now() - opened;
  await expect.poll(() => page.getAttribute("#history", "data-points"), { timeout: 10_000 }).toBe(String(TRIALS));
  await expect.poll(() => page.getAttribute("#curves", "data-curves"), { timeout: 10_000 }).toBe("200");
  // Let the heavy charts (parallel coordinates, slices, contour) finish their first draw.
  await page.waitForTimeout(2000);

  // A click on "Next" re-renders the table from memory: timed inside the page, from the click to
  // the next frame with the new rows. (Page scripts are strings: this project's types are Node's.)
  const pageClick = await page.evaluate<{ ms: number; first: string | null }>(`(async () => {
    const next = [...document.querySelectorAll(".trial-table .pager button")].find((b) => b.textContent.includes("Next"));
    const started = performance.now();
    next.click();
    await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
    const first = document.querySelector(".trial-table tbody tr")?.getAttribute("data-trial") ?? null;
    return { ms: performance.now() - started, first };
  })()`);
  expect(pageClick.first).toBe("50");
  // A sort over all 10,000 rows, the heaviest thing the table does.
  const sortClick = await page.evaluate<number>(`(async () => {
    const header = [...document.querySelectorAll(".trial-table th")].find((th) => th.textContent.startsWith("value"));
    const started = performance.now();
    header.click();
    await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
    return performance.now() - started;
  })()`);
  await screenshot(page, "study-10k");
  console.log(
    `10,000 trials × ${STEPS} points: history first drawn after ${Math.round(firstRender)} ms, all trials after ${Math.round(allLoaded)} ms; ` +
      `table next page ${pageClick.ms.toFixed(1)} ms, sort by value ${sortClick.toFixed(1)} ms`,
  );
  expect(firstRender).toBeLessThan(5000);
  expect(allLoaded).toBeLessThan(20_000);
  expect(pageClick.ms).toBeLessThan(500);
  expect(sortClick).toBeLessThan(1000);
  expect(page.errors).toEqual([]);
  await page.context().close();
});
