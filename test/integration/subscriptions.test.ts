import { createClient, type Client } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { openDatabase } from "../../server/src/db/dataSource";
import { Database } from "../../server/src/db/database";
import { startHttpServer, type RunningHttpServer } from "../../server/src/http/app";
import { createLogger } from "../../server/src/logging";
import { createServices, type Services } from "../../server/src/services";
import { ASK, CREATE_STUDY, PRUNE, REPORT, TELL } from "../helpers/operations";
import { createTestDatabase, startTestServer, type TestServer } from "../helpers/testServer";

/** Collects what one subscription receives. */
class Received<T> {
  items: T[] = [];
  errors: any[] | null = null;
  completed = false;
  readonly stop: () => void;

  constructor(client: Client, query: string, variables?: Record<string, unknown>) {
    this.stop = client.subscribe<T>(
      { query, variables },
      {
        next: (r) => {
          if (r.errors) this.errors = [...r.errors];
          else this.items.push(r.data as T);
        },
        error: (e) => {
          this.errors = Array.isArray(e) ? e : [e];
        },
        complete: () => {
          this.completed = true;
        },
      },
    );
  }

  async until(done: (r: this) => boolean, what: string, ms = 10_000): Promise<void> {
    const start = Date.now();
    while (!done(this)) {
      if (this.errors) throw new Error(`subscription failed while waiting for ${what}: ${JSON.stringify(this.errors)}`);
      if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}; received ${JSON.stringify(this.items).slice(0, 2000)}`);
      await sleep(10);
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the server's streams follow `n` more topics than before: the subscription is live. */
async function followed(services: Services, before: number, n = 1): Promise<void> {
  const start = Date.now();
  while (services.streams.hub.topicCount < before + n) {
    if (Date.now() - start > 10_000) throw new Error("the subscription never started on the server");
    await sleep(5);
  }
}

const TRIAL_UPDATED = `subscription($s: ID!) { trialUpdated(studyId: $s) { id number state values intermediateValues { step value } } }`;
const METRICS = `subscription($s: ID, $t: ID, $after: String, $afterStep: Int) {
  metricsReported(studyId: $s, trialId: $t, after: $after, afterStep: $afterStep) { trialId studyId name cursor replayed points { step value time } }
}`;
const PROGRESS = `subscription($s: ID!) { studyProgress(studyId: $s) {
  studyId bestValue bestTrial { number values } counts { waiting running complete pruned fail total } time } }`;
const CONTROL = `subscription($t: ID!) { trialControl(trialId: $t) { trialId action reason state } }`;

interface Batch {
  trialId: string;
  studyId: string;
  name: string;
  cursor: string;
  replayed: boolean;
  points: { step: number; value: number; time: string }[];
}

/** Every (trial, name, step) received, to check that each arrives exactly once. */
function keysOf(items: { metricsReported: Batch }[]): string[] {
  return items.flatMap(({ metricsReported: b }) => b.points.map((p) => `${b.trialId}/${b.name}/${p.step}`));
}

let server: TestServer;
let client: Client;
let studySeq = 0;

async function newStudy(extra: Record<string, unknown> = {}): Promise<string> {
  const input = { name: `subs-${studySeq++}`, searchSpace: [{ name: "x", type: "FLOAT", low: 0, high: 1 }], ...extra };
  return (await server.ok(CREATE_STUDY, { input })).createStudy.id;
}

async function ask(studyId: string): Promise<string> {
  return (await server.ok(ASK, { studyId })).askTrial.id;
}

async function report(trialId: string, from: number, n: number, name?: string): Promise<void> {
  const points = Array.from({ length: n }, (_, i) => ({ name, step: from + i, value: (from + i) / 10 }));
  await server.ok(REPORT, { trialId, points });
}

beforeAll(async () => {
  server = await startTestServer();
  client = createClient({ url: server.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false });
});
afterAll(async () => {
  await client?.dispose();
  await server?.close();
});

describe("trialUpdated", () => {
  it("streams every state change of the study's trials with fresh fields per event", async () => {
    const studyId = await newStudy();
    const other = await newStudy();
    const before = server.services.streams.hub.topicCount;
    const sub = new Received<{ trialUpdated: any }>(client, TRIAL_UPDATED, { s: studyId });
    await followed(server.services, before);

    const t = await ask(studyId);
    await ask(other);
    await report(t, 0, 3);
    await server.ok(TELL, { trialId: t, state: "COMPLETE", values: [0.5] });
    await sub.until((r) => r.items.length >= 2, "two trial updates");
    await sleep(50);
    sub.stop();

    expect(sub.items.map((i) => i.trialUpdated.state)).toEqual(["RUNNING", "COMPLETE"]);
    expect(sub.items[0].trialUpdated.intermediateValues).toEqual([]);
    // The second event is resolved afresh, not from the first event's cached rows.
    expect(sub.items[1].trialUpdated.intermediateValues.map((p: any) => p.step)).toEqual([0, 1, 2]);
    expect(sub.items[1].trialUpdated.values).toEqual([0.5]);
  });

  it("answers NOT_FOUND for an unknown study, as queries do", async () => {
    const sub = new Received(client, TRIAL_UPDATED, { s: "987654321" });
    await sub.until((r) => r.errors !== null, "an error");
    expect(sub.errors?.[0].extensions?.code).toBe("NOT_FOUND");
  });
});

describe("metricsReported", () => {
  it("streams each stored point exactly once, by study or by trial, and nothing for a retried report", async () => {
    const studyId = await newStudy();
    const [a, b] = [await ask(studyId), await ask(studyId)];
    const before = server.services.streams.hub.topicCount;
    const byStudy = new Received<{ metricsReported: Batch }>(client, METRICS, { s: studyId });
    const byTrial = new Received<{ metricsReported: Batch }>(client, METRICS, { t: a });
    await followed(server.services, before, 2);

    await report(a, 0, 5);
    await report(b, 0, 5, "loss");
    await report(a, 0, 5); // retried: stored nothing, publishes nothing
    await report(a, 3, 4); // steps 3, 4 stored before; 5, 6 are new
    await byStudy.until((r) => keysOf(r.items).length >= 12, "12 points by study");
    await byTrial.until((r) => keysOf(r.items).length >= 7, "7 points of trial a");
    await sleep(100);

    const studyKeys = keysOf(byStudy.items);
    expect(studyKeys).toHaveLength(12);
    expect(new Set(studyKeys).size).toBe(12);
    expect(keysOf(byTrial.items)).toEqual([0, 1, 2, 3, 4, 5, 6].map((s) => `${a}/objective/${s}`));
    const first = byTrial.items[0].metricsReported;
    expect(first).toMatchObject({ trialId: a, studyId, name: "objective", replayed: false });
    expect(first.points[1]).toMatchObject({ step: 1, value: 0.1 });
    expect(Date.parse(first.points[0].time)).toBeGreaterThan(Date.now() - 60_000);
    byStudy.stop();
    byTrial.stop();
  });

  it("resumes after a cursor or a step: replays what was stored meanwhile, then goes live", async () => {
    const studyId = await newStudy();
    const t = await ask(studyId);
    let before = server.services.streams.hub.topicCount;
    const first = new Received<{ metricsReported: Batch }>(client, METRICS, { t });
    await followed(server.services, before);
    await report(t, 0, 3);
    await first.until((r) => keysOf(r.items).length === 3, "the first 3 points");
    first.stop();
    const cursor = first.items.at(-1)!.metricsReported.cursor;

    // Reported while nobody listens.
    await report(t, 3, 3);
    await report(t, 6, 2, "accuracy");

    before = server.services.streams.hub.topicCount;
    const resumed = new Received<{ metricsReported: Batch }>(client, METRICS, { t, after: cursor });
    const fromStep = new Received<{ metricsReported: Batch }>(client, METRICS, { s: studyId, afterStep: 4 });
    await followed(server.services, before, 2);
    await resumed.until((r) => keysOf(r.items).length >= 5, "the 5 points stored meanwhile");
    await fromStep.until((r) => keysOf(r.items).length >= 3, "points above step 4");
    await report(t, 8, 2);
    await resumed.until((r) => keysOf(r.items).length >= 7, "live points after the replay");
    await fromStep.until((r) => keysOf(r.items).length >= 5, "live points after the replay");
    await sleep(100);

    expect(keysOf(resumed.items)).toEqual([
      ...[3, 4, 5].map((s) => `${t}/objective/${s}`),
      ...[6, 7].map((s) => `${t}/accuracy/${s}`),
      ...[8, 9].map((s) => `${t}/objective/${s}`),
    ]);
    expect(resumed.items.map((i) => i.metricsReported.replayed)).toEqual([true, true, false]);
    expect(keysOf(fromStep.items)).toEqual([`${t}/objective/5`, `${t}/accuracy/6`, `${t}/accuracy/7`, `${t}/objective/8`, `${t}/objective/9`]);
    resumed.stop();
    fromStep.stop();
  });

  it("replays a finished trial's points, now archived as arrays, after a cursor and at their stored times", async () => {
    const studyId = await newStudy();
    const t = await ask(studyId);
    let before = server.services.streams.hub.topicCount;
    const live = new Received<{ metricsReported: Batch }>(client, METRICS, { t });
    await followed(server.services, before);
    await report(t, 0, 3);
    await live.until((r) => keysOf(r.items).length === 3, "the first 3 points");
    const cursor = live.items.at(-1)!.metricsReported.cursor;
    await report(t, 3, 3);
    await report(t, 6, 2, "accuracy");
    await live.until((r) => keysOf(r.items).length === 8, "all 8 points");
    live.stop();
    await server.ok(TELL, { trialId: t, state: "COMPLETE", values: [1] });

    before = server.services.streams.hub.topicCount;
    const resumed = new Received<{ metricsReported: Batch }>(client, METRICS, { t, after: cursor });
    const fromStep = new Received<{ metricsReported: Batch }>(client, METRICS, { s: studyId, afterStep: 0 });
    await followed(server.services, before, 2);
    await resumed.until((r) => keysOf(r.items).length >= 5, "the 5 points after the cursor");
    await fromStep.until((r) => keysOf(r.items).length >= 6, "the 6 points above step 0");
    await sleep(100);
    const timed = (items: { metricsReported: Batch }[]) =>
      items.flatMap(({ metricsReported: b }) => b.points.map((p) => `${b.name}/${p.step}/${p.value}@${p.time}`));
    const liveTimed = timed(live.items);
    expect(timed(resumed.items)).toEqual(liveTimed.slice(3));
    expect(timed(fromStep.items)).toEqual(liveTimed.filter((k) => !k.includes("/0/")));
    expect(resumed.items.every((i) => i.metricsReported.replayed)).toBe(true);
    resumed.stop();
    fromStep.stop();
  });

  it("has no duplicates and no holes at the seam while reports keep arriving", async () => {
    const studyId = await newStudy();
    const t = await ask(studyId);
    const STEPS = 300;
    let reported = 0;
    const reporter = (async () => {
      for (let step = 0; step < STEPS; step += 3) {
        await report(t, step, 3);
        reported = step + 3;
      }
    })();
    const subs: Received<{ metricsReported: Batch }>[] = [];
    // Subscribers resume from the beginning at different moments of the run.
    for (let k = 0; k < 4; k++) {
      while (reported < (k + 1) * 50) await sleep(2);
      subs.push(new Received(client, METRICS, { t, afterStep: -1 }));
    }
    await reporter;
    for (const sub of subs) {
      await sub.until((r) => keysOf(r.items).length >= STEPS, `${STEPS} points`);
    }
    await sleep(100);
    for (const sub of subs) {
      expect(keysOf(sub.items)).toEqual(Array.from({ length: STEPS }, (_, s) => `${t}/objective/${s}`));
      sub.stop();
    }
  });

  it("refuses a call without a study or trial, and a cursor it did not make", async () => {
    const none = new Received(client, METRICS, {});
    const badCursor = new Received(client, METRICS, { s: await newStudy(), after: "nope" });
    await none.until((r) => r.errors !== null, "an error");
    await badCursor.until((r) => r.errors !== null, "an error");
    expect(none.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "studyId" });
    expect(badCursor.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "after" });
  });

  it("codes invalid and unparsable operations as HTTP does", async () => {
    const invalid = new Received(client, `subscription { metricsReported(studyId: "1") { nope } }`);
    const unparsable = new Received(client, `subscription { metricsReported(`);
    await invalid.until((r) => r.errors !== null, "an error");
    await unparsable.until((r) => r.errors !== null, "an error");
    expect(invalid.errors?.[0].extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(invalid.errors?.[0].message).toMatch(/nope/);
    expect(unparsable.errors?.[0].extensions?.code).toBe("GRAPHQL_PARSE_FAILED");
  });
});

describe("a slow subscriber", () => {
  it("holds a bounded buffer, then catches up from the database without losing or repeating a point", async () => {
    const studyId = await newStudy();
    const t = await ask(studyId);
    const services = server.services;
    // A stream read directly, with a buffer of 4 batches, that nobody reads while 40 batches arrive.
    const local = createServices(services.db, { streams: { metrics: { bufferBatches: 4, replayPageRows: 7 } } });
    await local.events.start();
    const stream = await local.streams.metricsReported({ trialId: t });
    for (let i = 0; i < 40; i++) {
      const points = [0, 1, 2].map((k) => ({ step: i * 3 + k, value: i }));
      await local.metrics.report(t, points);
    }
    await sleep(50);
    const received: { step: number; replayed: boolean }[] = [];
    while (received.length < 120) {
      const { value, done } = await stream.next();
      if (done) break;
      for (const p of value.points) received.push({ step: p.step, replayed: value.replayed });
    }
    expect(received.map((r) => r.step)).toEqual(Array.from({ length: 120 }, (_, s) => s));
    expect(received.slice(0, 12).every((r) => !r.replayed)).toBe(true); // the 4 buffered batches
    expect(received.some((r) => r.replayed)).toBe(true);
    // Live again afterwards.
    await local.metrics.report(t, [{ step: 500, value: 1 }]);
    const next = await stream.next();
    expect(next.value).toMatchObject({ replayed: false, points: [{ step: 500 }] });
    await stream.return!();
    expect(local.streams.hub.topicCount).toBe(0);
    local.streams.close();
    await local.events.close();
  });
});

describe("studyProgress", () => {
  it("sends the current counts and best value at once, then each change", async () => {
    const studyId = await newStudy();
    const t0 = await ask(studyId);
    await server.ok(TELL, { trialId: t0, state: "COMPLETE", values: [0.7] });
    const sub = new Received<{ studyProgress: any }>(client, PROGRESS, { s: studyId });
    await sub.until((r) => r.items.length >= 1, "the current progress");
    expect(sub.items[0].studyProgress).toMatchObject({
      studyId,
      bestValue: 0.7,
      bestTrial: { number: 0, values: [0.7] },
      counts: { waiting: 0, running: 0, complete: 1, pruned: 0, fail: 0, total: 1 },
    });

    const t1 = await ask(studyId);
    await server.ok(TELL, { trialId: t1, state: "COMPLETE", values: [0.2] });
    await sub.until((r) => r.items.at(-1)!.studyProgress.bestValue === 0.2, "the new best value");
    expect(sub.items.at(-1)!.studyProgress.counts).toMatchObject({ complete: 2, running: 0, total: 2 });
    sub.stop();
  });
});

describe("trialControl", () => {
  it("tells the executor that its trial was pruned by pruneTrial, then completes", async () => {
    const t = await ask(await newStudy());
    const before = server.services.streams.hub.topicCount;
    const sub = new Received<{ trialControl: any }>(client, CONTROL, { t });
    await followed(server.services, before);
    await server.ok(PRUNE, { trialId: t, reason: "flat curve" });
    await sub.until((r) => r.completed, "the stream to complete");
    expect(sub.items.map((i) => i.trialControl)).toEqual([{ trialId: t, action: "PRUNE", reason: "flat curve", state: "PRUNED" }]);
  });

  it("says PRUNE when the study's pruner decides, before the trial is told", async () => {
    const studyId = await newStudy({ pruner: { type: "THRESHOLD", options: { upper: 1 } } });
    const t = await ask(studyId);
    const before = server.services.streams.hub.topicCount;
    const sub = new Received<{ trialControl: any }>(client, CONTROL, { t });
    await followed(server.services, before);
    const decision = (await server.ok(REPORT, { trialId: t, points: [{ step: 0, value: 5 }] })).reportMetrics;
    expect(decision.shouldPrune).toBe(true);
    await sub.until((r) => r.items.length >= 1, "a PRUNE signal");
    expect(sub.items[0].trialControl).toMatchObject({ action: "PRUNE", state: "RUNNING", reason: decision.reason });
    await server.ok(TELL, { trialId: t, state: "PRUNED" });
    await sub.until((r) => r.completed, "the stream to complete");
    expect(sub.items.at(-1)!.trialControl).toMatchObject({ action: "PRUNE", state: "PRUNED" });
  });

  it("gives a finished trial's final signal at once", async () => {
    const t = await ask(await newStudy());
    await server.ok(TELL, { trialId: t, state: "COMPLETE", values: [1] });
    const sub = new Received<{ trialControl: any }>(client, CONTROL, { t });
    await sub.until((r) => r.completed, "the stream to complete");
    expect(sub.items.map((i) => i.trialControl.action)).toEqual(["STOP"]);
  });
});

describe("WebSocket connections", () => {
  let guarded: { http: RunningHttpServer; db: Database; drop(): Promise<void> };
  const seen: Record<string, unknown>[] = [];

  beforeAll(async () => {
    const database = await createTestDatabase();
    await (await openDatabase(database.url, 2)).destroy();
    const db = new Database(database.url, 4);
    const http = await startHttpServer({
      services: createServices(db),
      logger: createLogger({}, "silent"),
      port: 0,
      authorizeConnection: (params) => {
        seen.push(params);
        return params.token === "let-me-in";
      },
    });
    guarded = { http, db, drop: database.drop };
  });
  afterAll(async () => {
    await guarded?.http.close();
    await guarded?.db.close();
    await guarded?.drop();
  });

  it("pass connectionParams to the authorisation hook, which may refuse with 4403", async () => {
    const closed = new Promise<number>((resolve) => {
      const refused = createClient({
        url: guarded.http.wsUrl,
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        lazy: false,
        connectionParams: { token: "wrong" },
        on: { closed: (event: any) => resolve(event.code) },
        onNonLazyError: () => undefined,
      });
      setTimeout(() => void refused.dispose(), 5000);
    });
    expect(await closed).toBe(4403);

    const allowed = createClient({ url: guarded.http.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { token: "let-me-in" } });
    const sub = new Received<{ studyProgress: any }>(allowed, PROGRESS, { s: "1" });
    await sub.until((r) => r.errors !== null, "an answer");
    expect(sub.errors?.[0].extensions?.code).toBe("NOT_FOUND");
    await allowed.dispose();
    expect(seen).toEqual([{ token: "wrong" }, { token: "let-me-in" }]);
  });
});
