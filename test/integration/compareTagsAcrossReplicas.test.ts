import { createClient, type Client } from "graphql-ws";
import { afterAll, beforeAll, expect, it } from "vitest";
import WebSocket from "ws";
import { openDatabase } from "../../server/src/db/dataSource";
import { Database } from "../../server/src/db/database";
import { EventBusKind } from "../../server/src/events";
import { startHttpServer, type RunningHttpServer } from "../../server/src/http/app";
import { createLogger } from "../../server/src/logging";
import { createServices, type Services } from "../../server/src/services";
import { ASK, CREATE_STUDY } from "../helpers/operations";
import { createTestDatabase } from "../helpers/testServer";

/** One replica with the PostgreSQL event bus: trial events reach the other replica as NOTIFY frames. */
interface Replica {
  services: Services;
  http: RunningHttpServer;
  db: Database;
  client: Client;
  gql(query: string, variables?: Record<string, unknown>): Promise<any>;
}

async function startReplica(url: string): Promise<Replica> {
  const db = new Database(url, 4);
  const services = createServices(db, { events: { kind: EventBusKind.Postgres, url } });
  const http = await startHttpServer({ services, logger: createLogger({}, "silent"), port: 0 });
  return {
    services,
    http,
    db,
    client: createClient({ url: http.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 }),
    async gql(query, variables) {
      const response = await fetch(http.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query, variables }) });
      const body = (await response.json()) as any;
      if (body.errors?.length) throw new Error(JSON.stringify(body.errors));
      return body.data;
    },
  };
}

let database: { url: string; drop(): Promise<void> };
let a: Replica;
let b: Replica;

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

it("shows a trial's new tags and note to trialUpdated subscribers on another replica", async () => {
  const studyId = (await a.gql(CREATE_STUDY, { input: { name: "tags-replicas" } })).createStudy.id;
  const trialId = (await a.gql(ASK, { studyId })).askTrial.id;
  const seen: Array<{ number: number; tags: string[]; note: string | null }> = [];
  const topics = b.services.streams.hub.topicCount;
  const stop = b.client.subscribe<{ trialUpdated: (typeof seen)[number] }>(
    { query: `subscription($s: ID!) { trialUpdated(studyId: $s) { number tags note } }`, variables: { s: studyId } },
    { next: (r) => r.data && seen.push(r.data.trialUpdated), error: () => undefined, complete: () => undefined },
  );
  const deadline = Date.now() + 10_000;
  while (b.services.streams.hub.topicCount <= topics && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));

  await a.gql(`mutation($t: ID!) { setTrialTags(trialId: $t, tags: ["odd", "rerun"]) { id } }`, { t: trialId });
  await a.gql(`mutation($t: ID!) { setTrialNote(trialId: $t, note: "look at epoch 3") { id } }`, { t: trialId });
  while (!seen.some((t) => t.note === "look at epoch 3") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  stop();
  expect(seen.find((t) => t.tags.length > 0)?.tags).toEqual(["odd", "rerun"]);
  expect(seen.at(-1)).toEqual({ number: 0, tags: ["odd", "rerun"], note: "look at epoch 3" });
});
