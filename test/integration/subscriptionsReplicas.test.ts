import { createClient, type Client } from "graphql-ws";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { openDatabase } from "../../server/src/db/dataSource";
import { Database } from "../../server/src/db/database";
import { EventBusKind } from "../../server/src/events";
import { startHttpServer, type RunningHttpServer } from "../../server/src/http/app";
import { createLogger } from "../../server/src/logging";
import { createServices, type Services } from "../../server/src/services";
import { ASK, CREATE_STUDY, REPORT, TELL } from "../helpers/operations";
import { createTestDatabase } from "../helpers/testServer";

/** One server replica: its own pool, services and PostgreSQL event bus, on the shared database. */
interface Replica {
  services: Services;
  http: RunningHttpServer;
  db: Database;
  client: Client;
  gql<T = any>(query: string, variables?: Record<string, unknown>): Promise<T>;
}

async function startReplica(url: string): Promise<Replica> {
  const db = new Database(url, 4);
  const services = createServices(db, { events: { kind: EventBusKind.Postgres, url } });
  const http = await startHttpServer({ services, logger: createLogger({}, "silent"), port: 0 });
  const client = createClient({ url: http.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 });
  return {
    services,
    http,
    db,
    client,
    async gql(query, variables) {
      const response = await fetch(http.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as any;
      if (body.errors?.length) throw new Error(JSON.stringify(body.errors));
      return body.data;
    },
  };
}

class Received<T> {
  items: T[] = [];
  errors: unknown = null;
  readonly stop: () => void;
  constructor(client: Client, query: string, variables: Record<string, unknown>) {
    this.stop = client.subscribe<T>(
      { query, variables },
      {
        next: (r) => (r.errors ? (this.errors = r.errors) : this.items.push(r.data as T)),
        error: (e) => (this.errors = e),
        complete: () => undefined,
      },
    );
  }
  async until(done: () => boolean, what: string, ms = 15_000): Promise<void> {
    const start = Date.now();
    while (!done()) {
      if (this.errors) throw new Error(`subscription failed: ${JSON.stringify(this.errors)}`);
      if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(this.items)}`);
      await sleep(10);
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function followed(services: Services, before: number, n = 1): Promise<void> {
  const start = Date.now();
  while (services.streams.hub.topicCount < before + n) {
    if (Date.now() - start > 10_000) throw new Error("the subscription never started on the server");
    await sleep(5);
  }
}

const METRICS = `subscription($s: ID, $t: ID) { metricsReported(studyId: $s, trialId: $t) { trialId name replayed points { step value } } }`;
const TRIAL_UPDATED = `subscription($s: ID!) { trialUpdated(studyId: $s) { number state } }`;

type Batch = { metricsReported: { trialId: string; name: string; replayed: boolean; points: { step: number; value: number }[] } };
const keysOf = (items: Batch[]) => items.flatMap((i) => i.metricsReported.points.map((p) => `${i.metricsReported.trialId}/${i.metricsReported.name}/${p.step}`));

let database: { url: string; drop(): Promise<void> };
let a: Replica;
let b: Replica;
let seq = 0;

beforeAll(async () => {
  database = await createTestDatabase();
  await (await openDatabase(database.url, 2)).destroy();
  a = await startReplica(database.url);
  b = await startReplica(database.url);
});
afterAll(async () => {
  for (const r of [a, b]) {
    if (!r) continue;
    await r.client.dispose();
    await r.http.close();
    await r.db.close();
  }
  await database?.drop();
});

async function newStudy(on: Replica): Promise<string> {
  return (await on.gql(CREATE_STUDY, { input: { name: `replicas-${seq++}` } })).createStudy.id;
}

describe("two server replicas on one database", () => {
  it("deliver points reported to either replica to subscribers on both, exactly once each", async () => {
    const studyId = await newStudy(a);
    const trials = [(await b.gql(ASK, { studyId })).askTrial.id, (await a.gql(ASK, { studyId })).askTrial.id];
    const [beforeA, beforeB] = [a.services.streams.hub.topicCount, b.services.streams.hub.topicCount];
    const onA = new Received<Batch>(a.client, METRICS, { s: studyId });
    const onB = new Received<Batch>(b.client, METRICS, { s: studyId });
    const trialOnA = new Received<Batch>(a.client, METRICS, { t: trials[0] });
    await followed(a.services, beforeA, 2);
    await followed(b.services, beforeB, 1);

    // Concurrent reporters on both replicas, and one batch too large for a single NOTIFY payload.
    const BATCHES = 30;
    await Promise.all(
      trials.map(async (trialId, k) => {
        const to = k === 0 ? b : a;
        for (let i = 0; i < BATCHES; i++) {
          const points = Array.from({ length: 10 }, (_, j) => ({ step: i * 10 + j, value: Math.sin(i + j) }));
          await to.gql(REPORT, { trialId, points });
        }
      }),
    );
    const big = Array.from({ length: 2000 }, (_, j) => ({ name: "loss", step: j, value: j / 7 }));
    await b.gql(REPORT, { trialId: trials[0], points: big });

    const total = 2 * BATCHES * 10 + 2000;
    await onA.until(() => keysOf(onA.items).length >= total, `${total} points on A`);
    await onB.until(() => keysOf(onB.items).length >= total, `${total} points on B`);
    await trialOnA.until(() => keysOf(trialOnA.items).length >= BATCHES * 10 + 2000, "trial points on A");
    await sleep(200);

    for (const sub of [onA, onB]) {
      const keys = keysOf(sub.items);
      expect(keys).toHaveLength(total);
      expect(new Set(keys).size).toBe(total);
      expect(sub.items.every((i) => !i.metricsReported.replayed)).toBe(true);
    }
    const trialKeys = keysOf(trialOnA.items);
    expect(trialKeys).toHaveLength(BATCHES * 10 + 2000);
    expect(trialKeys.every((k) => k.startsWith(`${trials[0]}/`))).toBe(true);
    // The large batch arrived whole, values exact.
    const loss = trialOnA.items.find((i) => i.metricsReported.name === "loss")!.metricsReported;
    expect(loss.points).toHaveLength(2000);
    expect(loss.points[1234]).toEqual({ step: 1234, value: 1234 / 7 });
    // Both replicas saw the events in the same order.
    expect(keysOf(onA.items)).toEqual(keysOf(onB.items));
    for (const sub of [onA, onB, trialOnA]) sub.stop();
  });

  it("deliver trial changes made on one replica to trialUpdated subscribers on the other", async () => {
    const studyId = await newStudy(b);
    const before = a.services.streams.hub.topicCount;
    const sub = new Received<{ trialUpdated: { number: number; state: string } }>(a.client, TRIAL_UPDATED, { s: studyId });
    await followed(a.services, before);
    const t = (await b.gql(ASK, { studyId })).askTrial.id;
    await b.gql(TELL, { trialId: t, state: "FAIL" });
    await sub.until(() => sub.items.length >= 2, "two updates");
    expect(sub.items.map((i) => i.trialUpdated)).toEqual([
      { number: 0, state: "RUNNING" },
      { number: 0, state: "FAIL" },
    ]);
    sub.stop();
  });

  it("catch a subscriber up from the database after its replica's event connection is cut", async () => {
    const studyId = await newStudy(a);
    const t = (await a.gql(ASK, { studyId })).askTrial.id;
    const before = a.services.streams.hub.topicCount;
    const sub = new Received<Batch>(a.client, METRICS, { t });
    await followed(a.services, before);
    await b.gql(REPORT, { trialId: t, points: [{ step: 0, value: 0 }] });
    await sub.until(() => keysOf(sub.items).length === 1, "the first point");

    // Cut A's LISTEN connection; B keeps reporting meanwhile.
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    const killed = await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
       WHERE application_name = 'graphtune-events' AND datname = current_database() AND pid <> pg_backend_pid()
       ORDER BY backend_start LIMIT 1`,
    );
    await admin.end();
    expect(killed.rowCount).toBe(1);
    for (let step = 1; step <= 20; step++) await b.gql(REPORT, { trialId: t, points: [{ step, value: step }] });

    await sub.until(() => keysOf(sub.items).length >= 21, "every point after the reconnect");
    await sleep(200);
    expect(keysOf(sub.items)).toEqual(Array.from({ length: 21 }, (_, s) => `${t}/objective/${s}`));
    sub.stop();
  });
});
