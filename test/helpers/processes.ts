import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { freePort } from "../../server/src/db/embeddedPostgres";

/** The built command line (npm test builds dist/ first). */
export const MAIN = path.resolve(__dirname, "../../dist/server/src/cli/main.js");

export interface ChildLogs {
  process: ChildProcess;
  /** Every JSON log line so far, parsed. */
  lines: Record<string, any>[];
  /** Resolves with the first log line that `match` accepts. */
  waitFor(match: (line: Record<string, any>) => boolean, timeoutMs?: number): Promise<Record<string, any>>;
  /** SIGTERM (or the signal given) and wait for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

function follow(child: ChildProcess): ChildLogs {
  const lines: Record<string, any>[] = [];
  const waiters = new Set<{ match: (l: Record<string, any>) => boolean; resolve: (l: Record<string, any>) => void }>();
  let buffer = "";
  child.stdout!.on("data", (chunk) => {
    buffer += chunk;
    let newline: number;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const text = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      let line: Record<string, any>;
      try {
        line = JSON.parse(text);
      } catch {
        line = { msg: text };
      }
      lines.push(line);
      for (const w of waiters) {
        if (w.match(line)) {
          waiters.delete(w);
          w.resolve(line);
        }
      }
    }
  });
  return {
    process: child,
    lines,
    waitFor(match, timeoutMs = 20_000) {
      const seen = lines.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = { match, resolve };
        waiters.add(waiter);
        setTimeout(() => {
          if (waiters.delete(waiter)) reject(new Error(`no matching log line in ${timeoutMs} ms; last: ${JSON.stringify(lines.slice(-5))}`));
        }, timeoutMs);
      });
    },
    stop(signal = "SIGTERM") {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      return new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.kill(signal);
      });
    },
  };
}

/** `graphtune worker` as its own process, registered with the server at `url`. */
export async function startWorkerProcess(url: string, flags: string[] = []): Promise<ChildLogs & { executorId: string }> {
  const child = spawn(process.execPath, [MAIN, "worker", "--server", url, "--idle-ms", "100", ...flags], {
    env: { ...process.env, LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const logs = follow(child);
  const registered = await logs.waitFor((l) => l.msg === "executor registered");
  return Object.assign(logs, { executorId: String(registered.executorId) });
}

/** `graphtune start` as its own process on `databaseUrl`, without a local executor unless asked. */
export async function startServerProcess(
  databaseUrl: string,
  options: { port?: number; env?: Record<string, string> } = {},
): Promise<ChildLogs & { url: string; port: number }> {
  const port = options.port ?? (await freePort());
  const child = spawn(process.execPath, [MAIN, "start", "--port", String(port)], {
    env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: "info", GRAPHTUNE_EXECUTOR: "none", ...options.env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const logs = follow(child);
  await logs.waitFor((l) => l.msg === "graphtune is listening");
  return Object.assign(logs, { url: `http://127.0.0.1:${port}/graphql`, port });
}
