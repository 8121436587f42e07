import { chmod, mkdtemp, rm } from "node:fs/promises";
import { readFileSync, readdirSync } from "node:fs";
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

/**
 * CPU time used so far by every process named `postgres` on this machine (the server and its
 * backends), in ms: the database's share of a workload, measured as a difference. Backends that
 * have exited count through the postmaster, which reaps them (its children's CPU). Without that, a
 * pooled connection closed for idleness mid-run took all its CPU out of the sum, and a run's
 * difference could come out near zero. Machine-wide: other PostgreSQL servers running here are
 * counted too.
 */
export function postgresCpuMs(): number {
  let ticks = 0;
  for (const entry of readdirSync("/proc")) {
    if (entry.charCodeAt(0) < 48 || entry.charCodeAt(0) > 57) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")) !== "postgres") continue;
      // utime, stime, cutime and cstime (reaped children's): fields 14 to 17, in clock ticks (100 per
      // second on Linux).
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    } catch {
      // The process exited while we read.
    }
  }
  return ticks * 10;
}
