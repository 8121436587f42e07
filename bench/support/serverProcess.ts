import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { freePort } from "../../server/src/db/embeddedPostgres";

export interface ServerProcess {
  url: string;
  pid: number;
  /** Resident memory of the server process, in MB. */
  rssMb(): number;
  /** CPU time (user + system) the server process has used so far, in ms. */
  cpuMs(): number;
  stop(): Promise<void>;
}

/** Starts the built server (dist/) as its own process, as `npm start` would, on a free port. */
export async function startServerProcess(databaseUrl: string): Promise<ServerProcess> {
  const port = await freePort();
  const main = path.resolve(__dirname, "../../server/src/cli/main.js");
  return startNodeProcess(main, ["start", "--port", String(port)], {
    port,
    env: { DATABASE_URL: databaseUrl, LOG_LEVEL: "info", GRAPHTUNE_EXECUTOR: "none" },
    readyText: "graphtune is listening",
  });
}

/**
 * Runs a Node script as its own process and resolves once its stdout says `readyText`; the URL is
 * http://127.0.0.1:`port`/graphql. BENCH_SERVER_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof",
 * profiles it.
 */
export async function startNodeProcess(
  script: string,
  args: string[],
  options: { port: number; env: Record<string, string>; readyText: string },
): Promise<ServerProcess> {
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, script, ...args], {
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d) => {
      out += d;
      if (out.includes(options.readyText)) resolve();
    });
    child.on("exit", (code) => reject(new Error(`${path.basename(script)} exited with ${code}: ${out}`)));
  });
  child.stdout!.resume();
  return {
    url: `http://127.0.0.1:${options.port}/graphql`,
    pid: child.pid!,
    rssMb() {
      const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
      return kb / 1024;
    },
    cpuMs() {
      // Fields 14 and 15 of /proc/PID/stat, in clock ticks (100 per second on Linux).
      const fields = readFileSync(`/proc/${child.pid}/stat`, "utf8").split(") ")[1].split(" ");
      return (Number(fields[11]) + Number(fields[12])) * 10;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
