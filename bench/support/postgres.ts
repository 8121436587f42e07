import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { startEmbeddedPostgres } from "../../server/src/db/embeddedPostgres";
import { createLogger } from "../../server/src/logging";

export interface BenchDatabaseServer {
  /** URL of the server's maintenance database. */
  url: string;
  /** Creates a database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

/** BENCH_DATABASE_URL's server when set, else an embedded PostgreSQL in a temporary folder. */
export async function benchDatabaseServer(): Promise<BenchDatabaseServer> {
  let url = process.env.BENCH_DATABASE_URL;
  let stop = async () => undefined;
  if (!url) {
    const dir = await mkdtemp(path.join(os.tmpdir(), "graphtune-bench-pg-"));
    await chmod(dir, 0o755);
    const embedded = await startEmbeddedPostgres({ dataDir: path.join(dir, "data"), logger: createLogger({}, "warn") });
    url = embedded.url;
    stop = async () => {
      await embedded.stop();
      await rm(dir, { recursive: true, force: true });
    };
  }
  const serverUrl = url;
  return {
    url: serverUrl,
    async createDatabase(name) {
      const admin = new pg.Client({ connectionString: serverUrl });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      const u = new URL(serverUrl);
      u.pathname = `/${name}`;
      return u.toString();
    },
    stop,
  };
}
