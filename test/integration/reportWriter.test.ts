import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../server/src/db/dataSource";
import { Database } from "../../server/src/db/database";
import { createServices, type Services } from "../../server/src/services";
import { ReportWriter } from "../../server/src/studies/reportWriter";
import { createTestDatabase } from "../helpers/testServer";

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: Database;
let services: Services;
beforeAll(async () => {
  database = await createTestDatabase();
  await (await openDatabase(database.url, 2)).destroy();
  db = new Database(database.url, 8);
  services = createServices(db);
});
afterAll(async () => {
  await db?.close();
  await database?.drop();
});

let seq = 0;
async function runningTrials(count: number): Promise<string[]> {
  const study = await services.studies.create({
    name: `writer-${seq++}`,
    searchSpace: [{ name: "x", type: "FLOAT", low: 0, high: 1 }],
    sampler: { type: "RANDOM", seed: 3 },
  });
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await services.trials.ask(study.id)).id);
  return ids;
}

const objective = (steps: number[], value: (step: number) => number) => ({
  names: steps.map(() => null),
  steps,
  values: steps.map(value),
});

async function storedSteps(trialId: string): Promise<Array<[number, number]>> {
  const series = (await services.metrics.seriesOfTrials([trialId], null, null)).get(trialId) ?? [];
  return series.flatMap((s) => s.points.map((p): [number, number] => [p.step, p.value]));
}

describe("reports of several trials in one statement", () => {
  it("writes reports that arrive together in one statement, each trial with its own answer", async () => {
    const trials = await runningTrials(8);
    const writer = new ReportWriter(db);
    const stored = await Promise.all(
      trials.map((trialId, k) => writer.write({ trialId, ...objective([0, 1, 2], (step) => k * 10 + step) })),
    );
    expect(writer.counts).toEqual({ statements: 1, reports: 8 });
    expect(stored.map((s) => [s?.number, s?.state, s?.inserted, s?.insertedKeys])).toEqual(
      trials.map((_, k) => [k, "RUNNING", 3, null]),
    );
    expect(new Set(stored.map((s) => s?.reportedUs)).size).toBe(1);
    for (const [k, trialId] of trials.entries()) {
      expect(await storedSteps(trialId)).toEqual([0, 1, 2].map((step) => [step, k * 10 + step]));
    }
  });

  it("answers each report of a shared statement on its own: stored, finished, unknown", async () => {
    const [running, finished] = await runningTrials(2);
    await services.trials.tell(finished, "COMPLETE", [0.5]);
    const writer = new ReportWriter(db);
    const [a, b, c] = await Promise.all([
      writer.write({ trialId: running, ...objective([5], () => 1) }),
      writer.write({ trialId: finished, ...objective([5], () => 1) }),
      writer.write({ trialId: "987654321", ...objective([5], () => 1) }),
    ]);
    expect(writer.counts.statements).toBe(1);
    expect([a?.state, a?.inserted]).toEqual(["RUNNING", 1]);
    expect([b?.state, b?.inserted]).toEqual(["COMPLETE", 0]);
    expect(c).toBeNull();
    expect(await storedSteps(finished)).toEqual([]);
  });

  it("writes each report alone when a shared statement fails, so only the faulty one fails", async () => {
    const trials = await runningTrials(3);
    const writer = new ReportWriter(db);
    const results = await Promise.allSettled([
      writer.write({ trialId: trials[0], ...objective([1], () => 1) }),
      // Beyond int4: PostgreSQL refuses the whole statement.
      writer.write({ trialId: trials[1], ...objective([2 ** 31], () => 1) }),
      writer.write({ trialId: trials[2], ...objective([1], () => 3) }),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(writer.counts).toEqual({ statements: 4, reports: 2 });
    expect(await storedSteps(trials[0])).toEqual([[1, 1]]);
    expect(await storedSteps(trials[1])).toEqual([]);
    expect(await storedSteps(trials[2])).toEqual([[1, 3]]);
  });

  it("never puts two reports of one trial in one statement; overlapping steps are stored once", async () => {
    const [trialId] = await runningTrials(1);
    const writer = new ReportWriter(db);
    const [first, second] = await Promise.all([
      writer.write({ trialId, ...objective([0, 1, 2, 3, 4], () => 1) }),
      writer.write({ trialId, ...objective([3, 4, 5, 6, 7], () => 2) }),
    ]);
    expect(writer.counts.statements).toBe(2);
    // Between them every step was stored exactly once, and each says which points were its own.
    expect(first!.inserted + second!.inserted).toBe(8);
    const own = (s: typeof first, steps: number[]) =>
      s!.inserted === steps.length ? steps : (s!.insertedKeys ?? []).map(([, step]) => step);
    const owned = [...own(first, [0, 1, 2, 3, 4]), ...own(second, [3, 4, 5, 6, 7])];
    expect(owned.sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect((await storedSteps(trialId)).map(([step]) => step)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it("keeps reportMetrics right under many concurrent reporters of many trials", async () => {
    const trials = await runningTrials(12);
    const statements = services.metrics.writer.counts.statements;
    await Promise.all(
      trials.map(async (trialId, k) => {
        for (let step = 0; step < 10; step++) {
          const decision = await services.metrics.report(trialId, [{ step, value: k + step / 10 }]);
          expect(decision.shouldPrune).toBe(false);
        }
      }),
    );
    expect(services.metrics.writer.counts.statements - statements).toBeLessThan(120);
    for (const [k, trialId] of trials.entries()) {
      expect(await storedSteps(trialId)).toEqual([...Array(10).keys()].map((step) => [step, k + step / 10]));
    }
  });
});
