import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../server/src/db/embeddedPostgres";
import { MAIN } from "../helpers/processes";
import { createTestDatabase } from "../helpers/testServer";
import { openLive } from "./authLive";

/** The secret part of a key: what must never reach a log. */
const secretOf = (key: string) => key.split("_").slice(2).join("_");

describe("API keys never reach the logs", () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let child: ChildProcess;
  let output = "";
  let url = "";

  beforeAll(async () => {
    database = await createTestDatabase();
    const port = await freePort();
    url = `http://127.0.0.1:${port}/graphql`;
    child = spawn(process.execPath, [MAIN, "start", "--port", String(port)], {
      env: { ...process.env, DATABASE_URL: database.url, LOG_LEVEL: "debug", GRAPHTUNE_EXECUTOR: "none", GRAPHTUNE_AUTH: "on" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout!.on("data", (chunk) => (output += chunk));
    child.stderr!.on("data", (chunk) => (output += chunk));
    const started = Date.now();
    while (!output.includes("graphtune is listening")) {
      if (Date.now() - started > 30_000 || child.exitCode !== null) throw new Error(`server did not start: ${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  });
  afterAll(async () => {
    if (child.exitCode === null) await new Promise((resolve) => child.once("exit", resolve).kill("SIGTERM"));
    await database.drop();
  });

  it("shows the first admin's key once, at start, and no key of any request, good or bad", async () => {
    const line = output.split("\n").find((l) => l.includes("store it now"));
    expect(line).toBeDefined();
    const adminKey = JSON.parse(line!).apiKey as string;
    const call = async (key: string | undefined, query: string, variables?: Record<string, unknown>) => {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return response.json() as Promise<any>;
    };

    const made = (await call(adminKey, `mutation { createApiKey(input: { name: "ci" }) { key apiKey { id } } }`)).data.createApiKey;
    const key: string = made.key;
    await call(key, `{ viewer { user { name } } }`);
    await call(key, `{ study(id: "999") { name } }`);
    await call(key, `{ nonsense }`);
    await call(key, `mutation { createStudy(input: { name: "" }) { id } }`);
    const wrong = key.slice(0, -6) + "zzzzzz";
    expect((await call(wrong, `{ viewer { user { name } } }`)).errors[0].extensions.code).toBe("UNAUTHENTICATED");
    const live = openLive(url.replace("http", "ws"), { authorization: `Bearer ${key}` });
    expect(await live.accepted).toBe("ack");
    const badLive = openLive(url.replace("http", "ws"), { authorization: `Bearer ${wrong}` });
    expect(await badLive.accepted).toBe(4401);
    await call(adminKey, `mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, { id: made.apiKey.id });
    expect(await live.closed).toBe(4403);
    expect((await call(key, `{ viewer { user { name } } }`)).errors[0].message).toContain("revoked");

    await new Promise((resolve) => child.once("exit", resolve).kill("SIGTERM"));
    expect(output).toContain("graphql operation");
    expect(output).not.toContain(secretOf(key));
    expect(output).not.toContain(secretOf(wrong));
    expect(output.split(secretOf(adminKey)).length - 1).toBe(1);
  });
});
