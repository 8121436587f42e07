import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { parse, specifiedRules, validate } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as dashboardQueries from "../../dashboard/src/api/queries";
import { queryLimitsRule } from "../../server/src/graphql/limits/queryLimitsRule";
import { getSchema } from "../../server/src/graphql/schema";
import { startTestServer, type TestServer } from "../helpers/testServer";
import { openLive } from "./authLive";

const ROOT = path.resolve(__dirname, "../..");

function codes(body: { errors?: Array<{ extensions?: { code?: string } }> }): Array<string | undefined> {
  return (body.errors ?? []).map((e) => e.extensions?.code);
}

async function post(url: string, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

describe("query limits", () => {
  it("let every operation of the SDK, the examples and the dashboard through", async () => {
    const schema = await getSchema();
    const sdkDir = path.join(ROOT, "client-sdk/operations");
    const sdk = readdirSync(sdkDir)
      .filter((f) => f.endsWith(".graphql"))
      .map((f) => readFileSync(path.join(sdkDir, f), "utf8"))
      .join("\n");
    const dashboard = (Object.values(dashboardQueries) as unknown[]).filter(
      (v): v is string => typeof v === "string" && /^\s*(query|mutation|subscription|fragment)\b/.test(v),
    );
    const documents = [sdk, readFileSync(path.join(ROOT, "examples/queries.graphql"), "utf8"), ...dashboard];
    expect(dashboard.length).toBeGreaterThan(3);
    for (const text of documents) {
      const errors = validate(schema, parse(text), [...specifiedRules, queryLimitsRule()]);
      expect(errors.filter((e) => /levels deep|too costly/.test(e.message)).map((e) => e.message)).toEqual([]);
    }
  });
});

describe("abuse limits over HTTP", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it("refuses a deeply nested query before running it", async () => {
    let selection = "id";
    for (let i = 0; i < 8; i++) selection = `study { trials(first: 1) { edges { node { ${selection} } } } }`;
    const body = await server.gql(`{ trial(id: "1") { ${selection} } }`);
    expect(codes(body)).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
    expect(body.errors![0].message).toContain("levels deep");
  });

  it("refuses nested pages and floods of aliased mutations as too costly", async () => {
    const nested = await server.gql(`{ studies(first: 1000) { edges { node { trials(first: 1000) { edges { node { id params } } } } } } }`);
    expect(codes(nested)).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
    expect(nested.errors![0].message).toContain("too costly");
    const aliases = Array.from({ length: 300 }, (_, i) => `a${i}: createStudy(input: { name: "flood-${i}" }) { id }`).join("\n");
    expect(codes(await server.gql(`mutation { ${aliases} }`))).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
    expect((await server.ok(`{ studies { totalCount } }`)).studies.totalCount).toBe(0);
  });

  it("refuses a page larger than 1000 as BAD_USER_INPUT", async () => {
    const body = await server.gql(`{ studies(first: 1001) { totalCount } }`);
    expect(codes(body)).toEqual(["BAD_USER_INPUT"]);
  });

  it("answers an oversize body with 413 and a JSON error", async () => {
    const huge = JSON.stringify({ query: "{ studies { totalCount } }", variables: { pad: "x".repeat(6 * 1024 * 1024) } });
    const response = await post(server.url, huge);
    expect(response.status).toBe(413);
    expect(codes(response.body)).toEqual(["PAYLOAD_TOO_LARGE"]);
    const broken = await post(server.url, "{ not json");
    expect(broken.status).toBe(400);
    expect(codes(broken.body)).toEqual(["BAD_REQUEST"]);
  });

  it("answers a body streamed past the limit without Content-Length with 413, and a JSON scalar with 400", async () => {
    const chunk = new TextEncoder().encode(" ".repeat(1024 * 1024));
    let sent = 0;
    // A stream has no length up front: the body arrives chunked, and the limit is counted as it comes.
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 8) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const response = await fetch(server.url, { method: "POST", headers: { "content-type": "application/json" }, body, duplex: "half" } as RequestInit);
    expect(response.status).toBe(413);
    expect(codes((await response.json()) as any)).toEqual(["PAYLOAD_TOO_LARGE"]);
    const scalar = await post(server.url, `"{ studies { totalCount } }"`);
    expect(scalar.status).toBe(400);
    expect(codes(scalar.body)).toEqual(["BAD_REQUEST"]);
  });

  it("serves the same through express for bodies it decodes itself: gzip, another charset, with the same guards", async () => {
    const operation = JSON.stringify({ query: "{ studies { totalCount } }" });
    const gzipped = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
      body: gzipSync(operation),
    });
    expect(gzipped.status).toBe(200);
    expect(((await gzipped.json()) as any).data.studies.totalCount).toEqual(expect.any(Number));
    const utf16 = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-16le" },
      body: Buffer.from(operation, "utf16le"),
    });
    expect(utf16.status).toBe(200);
    const flood = JSON.stringify(Array.from({ length: 500 }, () => ({ query: "{ studies { totalCount } }" })));
    const refused = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
      body: gzipSync(flood),
    });
    expect(refused.status).toBe(400);
    expect(codes((await refused.json()) as any)).toEqual(["BAD_REQUEST"]);
  });

  it("runs small batches and refuses batch floods", async () => {
    const op = { query: "{ studies { totalCount } }" };
    const small = await post(server.url, JSON.stringify([op, op, op]));
    expect(small.status).toBe(200);
    expect(small.body).toHaveLength(3);
    const flood = await post(server.url, JSON.stringify(Array.from({ length: 500 }, () => op)));
    expect(flood.status).toBe(400);
    expect(codes(flood.body)).toEqual(["BAD_REQUEST"]);
  });

  it("stores SQL and JSON injection attempts as plain text and data", async () => {
    const name = `x'); DROP TABLE studies; --`;
    const attrs = { "__proto__": { admin: true }, "a'b\"c": "'; DELETE FROM trials; --", "$where": "1 == 1", nested: { "constructor": { prototype: 1 } } };
    const created = await server.ok(`mutation($n: String!, $a: JSON) { createStudy(input: { name: $n, userAttrs: $a }) { id name userAttrs } }`, { n: name, a: attrs });
    expect(created.createStudy.name).toBe(name);
    expect(created.createStudy.userAttrs).toEqual(JSON.parse(JSON.stringify(attrs)));
    const like = await server.ok(`query($q: String!) { studies(nameContains: $q) { totalCount } }`, { q: "%' OR '1'='1" });
    expect(like.studies.totalCount).toBe(0);
    const wildcard = await server.ok(`query($q: String!) { studies(nameContains: $q) { totalCount } }`, { q: "%" });
    expect(wildcard.studies.totalCount).toBe(0);
    expect((await server.ok(`{ studies { totalCount } }`)).studies.totalCount).toBe(1);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    const project = await server.gql(`mutation { createStudy(input: { name: "p", project: "default' OR '1'='1" }) { id } }`);
    expect(codes(project)).toEqual(["NOT_FOUND"]);
  });
});

describe("rate limits and introspection", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      auth: "on",
      limits: { perKey: { perSecond: 1, burst: 3 }, perAddress: { perSecond: 1, burst: 3 } },
    });
  });
  afterAll(() => server.close());

  it("answers 429 with Retry-After once a key has spent its burst, and limits callers without a key by address", async () => {
    const key = { authorization: `Bearer ${server.adminKey}` };
    const op = JSON.stringify({ query: "{ viewer { authEnabled } }" });
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof post>> | null = null;
    for (let i = 0; i < 5; i++) {
      last = await post(server.url, op, key);
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(statuses.at(-1)).toBe(429);
    expect(Number(last!.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(codes(last!.body)).toEqual(["RATE_LIMITED"]);

    const anonymous: number[] = [];
    for (let i = 0; i < 5; i++) anonymous.push((await post(server.url, op)).status);
    expect(anonymous.at(-1)).toBe(429);
  });
});

describe("introspection switched off", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ introspection: false });
  });
  afterAll(() => server.close());

  it("refuses __schema queries and still serves the API", async () => {
    expect(new Set(codes(await server.gql(`{ __schema { types { name } } }`)))).toEqual(new Set(["GRAPHQL_VALIDATION_FAILED"]));
    expect((await server.ok(`{ studies { totalCount } }`)).studies.totalCount).toBe(0);
  });
});

describe("abuse limits over WebSocket", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      auth: "on",
      limits: { subscribesPerKey: { perSecond: 1, burst: 2 }, liveAddress: { perSecond: 1, burst: 2 } },
    });
  });
  afterAll(() => server.close());

  it("limit subscriptions per key, with RATE_LIMITED and the wait", async () => {
    const studyId = (await server.as(server.adminKey).ok(`mutation { createStudy(input: { name: "live-flood" }) { id } }`)).createStudy.id;
    const live = openLive(server.wsUrl, { authorization: `Bearer ${server.adminKey}` });
    expect(await live.accepted).toBe("ack");
    const progress = `subscription($s: ID!) { studyProgress(studyId: $s) { counts { total } } }`;
    for (const id of ["1", "2", "3"]) live.subscribe(id, progress, { s: studyId });
    await live.waitFor("1", (m) => m.type === "next");
    await live.waitFor("2", (m) => m.type === "next");
    const refused = await live.waitFor("3", (m) => m.type === "error");
    expect(refused.payload.map((e: any) => e.extensions?.code)).toEqual(["RATE_LIMITED"]);
    expect(refused.payload[0].message).toMatch(/retry after \d+ s/);
    live.close();
  });

  it("limit connections per address for callers without a key", async () => {
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push(await openLive(server.wsUrl).accepted);
    // Refused either way: without a key (4401), and past the burst of connections from this address (4429).
    expect(codes).toEqual([4401, 4401, 4429]);
  });
});
