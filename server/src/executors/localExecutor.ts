import { spawn, type ChildProcess } from "node:child_process";
import type { Logger } from "../logging";

export interface LocalExecutorOptions {
  /** The GraphQL endpoint the worker connects to. */
  server: string;
  /** cpu or gpu:N; default cpu. */
  device?: string;
  logger: Logger;
  /** The worker's API key, passed in its environment (not its command line, which `ps` shows); default none. */
  apiKey?: string;
}

/**
 * The executor `npm start` brings up: a `graphtune worker` child process on this machine, so that a
 * search runs with nothing else started. A process of its own keeps training off the server's event
 * loop; it is started again (after a pause) if it dies, and stopped with the server.
 */
export class LocalExecutor {
  private child: ChildProcess | null = null;
  private stopped = false;
  private restartTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly options: LocalExecutorOptions) {}

  start(): void {
    if (this.stopped) return;
    const script = require.main?.filename ?? process.argv[1];
    const args = [script, "worker", "--server", this.options.server, "--device", this.options.device ?? "cpu"];
    const env = this.options.apiKey ? { ...process.env, GRAPHTUNE_API_KEY: this.options.apiKey } : process.env;
    const child = spawn(process.execPath, args, { stdio: ["ignore", "inherit", "inherit"], env });
    this.child = child;
    this.options.logger.info("local executor started", { pid: child.pid, device: this.options.device ?? "cpu" });
    child.on("exit", (code, signal) => {
      this.child = null;
      if (this.stopped) return;
      this.options.logger.warn("local executor exited; starting it again in 5 s", { code, signal });
      this.restartTimer = setTimeout(() => this.start(), 5000);
      this.restartTimer.unref();
    });
  }

  /** SIGTERM (the worker unregisters, failing its trial for a retry), SIGKILL after 10 s. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => child.kill("SIGKILL"), 10_000);
      child.once("exit", () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill("SIGTERM");
    });
  }
}
