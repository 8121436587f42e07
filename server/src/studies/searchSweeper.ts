import type { Logger } from "../logging";
import type { ExecutorService } from "./executorService";
import type { SearchService } from "./searchService";

/**
 * The periodic half of searches: expires leases of dead workers and settles active searches (a
 * timeout passes without any event). Every server replica runs one; the work is idempotent and
 * serialised by row locks, so replicas never fight over it.
 */
export class SearchSweeper {
  private timer: ReturnType<typeof setInterval> | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly searches: SearchService,
    private readonly executors: ExecutorService,
    private readonly logger?: Logger,
  ) {}

  /** Sweeps every `intervalMs` (default: a fifth of the lease, at least 200 ms, at most 5 s). */
  start(intervalMs = Math.min(5000, Math.max(200, (this.executors.leaseSeconds * 1000) / 5))): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (!this.running) this.running = this.sweep().finally(() => (this.running = null));
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One pass; errors are logged, never thrown, so a database hiccup only delays the next pass. */
  async sweep(): Promise<void> {
    try {
      await this.executors.expireLeases();
      for (const id of await this.searches.activeIds()) await this.searches.settle(id);
    } catch (error) {
      this.logger?.warn("search sweep failed", { error: (error as Error).message });
    }
  }
}
