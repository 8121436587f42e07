import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { openDatabase } from "../../server/src/db/dataSource";
import { Database } from "../../server/src/db/database";
import { AuthMode } from "../../server/src/auth/authMode";
import { startHttpServer, type HttpServerOptions, type RunningHttpServer } from "../../server/src/http/app";
import { createLogger } from "../../server/src/logging";
import { createServices, type Services } from "../../server/src/services";

/** A fresh, migrated database on the run's PostgreSQL; dropped by `drop()`. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const serverUrl = inject("databaseServerUrl");
  const name = `gt_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** Counts the SQL statements the services send, to catch N+1 query patterns. */
export class CountingDatabase extends Database {
  statements = 0;
  override query<T>(text: string, params?: unknown[]): Promise<T[]> {
    this.statements++;
    return super.query<T>(text, params);
  }
  override queryAsyncCommit<T>(text: string, params?: unknown[]): Promise<T[]> {
    this.statements++;
    return super.queryAsyncCommit<T>(text, params);
  }
}

export interface TestServer {
  url: string;
  wsUrl: string;
  databaseUrl: string;
  db: CountingDatabase;
  services: Services;
  http: RunningHttpServer;
  /** POSTs a GraphQL request; returns the parsed body ({ data, errors }). */
  gql<T = any>(query: string, variables?: Record<string, unknown>): Promise<{ data?: T; errors?: GqlError[] }>;
  /** Like gql, but throws when the response has errors. */
  ok<T = any>(query: string, variables?: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
  /** A server administrator's API key when auth is on. */
  adminKey?: string;
  /** gql and ok as the holder of `apiKey` (sent as `authorization: Bearer <apiKey>`). */
  as(apiKey: string | undefined): Pick<TestServer, "gql" | "ok">;
}

export interface GqlError {
  message: string;
  extensions?: { code?: string; field?: string };
}

export interface TestServerOptions {
  /** Lease of search trials, in seconds (default 30). */
  leaseSeconds?: number;
  /** Run the search sweeper every this many ms (default: not at all). */
  sweepIntervalMs?: number;
  /** "on": callers need API keys (`adminKey` holds a server administrator's); default auto, as on a laptop. */
  auth?: "on" | "off" | "auto";
  /** Query and HTTP limits (depth, cost, rates, batches); the server's defaults when omitted. */
  limits?: HttpServerOptions["limits"];
  /** GRAPHTUNE_INTROSPECTION; default on. */
  introspection?: boolean;
}

/** A real HTTP + WebSocket server on a free port over a fresh database. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const database = await createTestDatabase();
  await (await openDatabase(database.url, 2)).destroy();
  const db = new CountingDatabase(database.url);
  const services = createServices(db, { leaseSeconds: options.leaseSeconds, auth: { mode: (options.auth ?? "auto") as AuthMode } });
  if (options.sweepIntervalMs) services.sweeper.start(options.sweepIntervalMs);
  const http = await startHttpServer({ services, logger: createLogger({}, "silent"), port: 0, limits: options.limits, introspection: options.introspection });
  const adminKey = options.auth === "on" ? await services.access.createAdminKey("tests") : undefined;
  const client = (apiKey: string | undefined) => {
    const gql = async (query: string, variables?: Record<string, unknown>) => {
      const response = await fetch(http.url, {
        method: "POST",
        headers: { "content-type": "application/json", ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return response.json() as Promise<{ data?: any; errors?: GqlError[] }>;
    };
    const ok = async (query: string, variables?: Record<string, unknown>) => {
      const body = await gql(query, variables);
      if (body.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
      return body.data;
    };
    return { gql, ok };
  };
  const { gql } = client(undefined);
  return {
    adminKey,
    as: client,
    url: http.url,
    wsUrl: http.wsUrl,
    databaseUrl: database.url,
    db,
    services,
    http,
    gql,
    async ok(query, variables) {
      const body = await gql(query, variables);
      if (body.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
      return body.data;
    },
    async close() {
      await services.sweeper.stop();
      await http.close();
      await db.close();
      await database.drop();
    },
  };
}
