import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { createClient } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { freePort } from "../../server/src/db/embeddedPostgres";
import { CREATE_STUDY } from "../helpers/operations";
import { createTestDatabase, startTestServer, type TestServer } from "../helpers/testServer";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

describe("the HTTP endpoint", () => {
  it("serves a GraphQL IDE to browsers from local files only", async () => {
    const page = await fetch(server.url, { headers: { accept: "text/html" } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("GraphiQL");
    const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(sources.length).toBeGreaterThanOrEqual(4);
    for (const src of sources) {
      expect(src.startsWith("/"), `${src} must be served locally`).toBe(true);
      const asset = await fetch(new URL(src, server.url));
      expect(asset.status, src).toBe(200);
      expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    }
  });

  it("answers GET queries for API clients and a health check", async () => {
    const url = new URL(server.url);
    url.searchParams.set("query", "{ studies { totalCount } }");
    const response = await fetch(url, { headers: { accept: "application/json", "apollo-require-preflight": "1" } });
    expect(((await response.json()) as any).data.studies.totalCount).toBeGreaterThanOrEqual(0);
    expect(await (await fetch(new URL("/healthz", server.url))).json()).toEqual({ status: "ok" });
  });

  it("answers POSTs with a query string, an explicit UTF-8 charset or a trailing slash, and refuses simple requests (CSRF)", async () => {
    const body = JSON.stringify({ query: "{ studies { totalCount } }" });
    const post = (url: string, contentType: string) => fetch(url, { method: "POST", headers: { "content-type": contentType }, body });
    for (const [url, type] of [
      [`${server.url}?trace=1`, "application/json"],
      [server.url, "application/json; charset=UTF-8"],
      [`${server.url}/`, "application/json"],
    ]) {
      const response = await post(url, type);
      expect(response.status, `${url} ${type}`).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      expect(((await response.json()) as any).data.studies.totalCount, `${url} ${type}`).toBeGreaterThanOrEqual(0);
    }
    // A form-like content type is what a cross-site page could send without a preflight.
    const simple = await post(server.url, "text/plain");
    expect(simple.status).toBe(400);
    expect(((await simple.json()) as any).errors[0].message).toMatch(/Cross-Site Request Forgery/);
  });

  it("answers GraphQL over WebSocket (graphql-transport-ws) on the same path", async () => {
    const client = createClient({ url: server.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 });
    try {
      const result = await new Promise<any>((resolve, reject) => {
        let value: unknown;
        client.subscribe(
          { query: `mutation { createStudy(input: { name: "over-ws" }) { name directions } }` },
          { next: (v) => (value = v), error: reject, complete: () => resolve(value) },
        );
      });
      expect(result.data.createStudy).toEqual({ name: "over-ws", directions: ["MINIMIZE"] });
    } finally {
      await client.dispose();
    }
  });

  it("gives syntax and type errors a code", async () => {
    const syntax = await server.gql(`{ studies { `);
    expect(syntax.errors?.[0].extensions?.code).toBe("GRAPHQL_PARSE_FAILED");
    const wrongType = await server.gql(CREATE_STUDY, { input: { name: 5 } });
    expect(wrongType.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
  });
});

describe("the command line", () => {
  it("starts on --port with DATABASE_URL, logs JSON lines, and shuts down cleanly on SIGTERM", async () => {
    const root = path.resolve(__dirname, "../..");
    const main = path.join(root, "dist/server/src/cli/main.js");
    if (!existsSync(main)) execFileSync("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
    const database = await createTestDatabase();
    const port = await freePort();
    const child = spawn(process.execPath, [main, "start", "--port", String(port)], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: database.url, HOST: "127.0.0.1", LOG_LEVEL: "info" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    try {
      await waitFor(() => output.includes("graphtune is listening"), 30_000, () => output);
      const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: "{ studies { totalCount } }" }),
      });
      expect(((await response.json()) as any).data.studies.totalCount).toBe(0);
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      const lines = output.trim().split("\n").filter(Boolean);
      for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
      expect(lines.map((l) => JSON.parse(l).msg)).toEqual(expect.arrayContaining(["graphtune is listening", "shutting down", "graphtune stopped"]));
    } finally {
      child.kill("SIGKILL");
      await database.drop();
    }
  });
});

async function waitFor(check: () => boolean, timeoutMs: number, describe: () => string) {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out; output so far:\n${describe()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
