import type { TrialState } from "../optimization";
import type { TrialRecord } from "../studies/records";
import { BoundedQueue } from "./boundedQueue";
import { topics, type EventHub } from "./eventHub";

/** Where a study stands: trials by state and the best value so far. */
export interface StudyProgressPayload {
  studyId: string;
  counts: Record<TrialState, number>;
  total: number;
  /** The best COMPLETE trial of a single-objective study; null for none or several objectives. */
  bestTrial: TrialRecord | null;
  bestValue: number | null;
  time: Date;
}

/** How progress is computed: the same reads the query API uses. */
export interface ProgressSource {
  countsByState(studyIds: readonly string[]): Promise<Map<string, Partial<Record<TrialState, number>>>>;
  bestOfStudies(studyIds: readonly string[]): Promise<Map<string, TrialRecord>>;
}

export interface StudyProgressOptions {
  /** Least time between two recomputations of one study's progress; default 100 ms. */
  minIntervalMs?: number;
}

interface Watched {
  queues: Set<BoundedQueue<StudyProgressPayload>>;
  last: StudyProgressPayload | null;
  lastKey: string;
  lastRunAt: number;
  running: boolean;
  dirty: boolean;
  timer: NodeJS.Timeout | null;
  stop: () => void;
}

/**
 * studyProgress for every subscriber of this process. Progress is recomputed from the database
 * (two indexed queries) once per study, not per subscriber, when its trials change: at most one
 * computation in flight and one every `minIntervalMs`, so a burst of trial changes costs one
 * computation. Subscribers get the current progress at once, then each change; a slow subscriber
 * holds only the latest progress (coalesced).
 */
export class StudyProgressStreams {
  private readonly watched = new Map<string, Watched>();

  constructor(
    private readonly hub: EventHub,
    private readonly source: ProgressSource,
    private readonly options: StudyProgressOptions = {},
  ) {}

  subscribe(studyId: string): AsyncIterableIterator<StudyProgressPayload> {
    let w = this.watched.get(studyId);
    if (!w) {
      const entry: Watched = {
        queues: new Set(),
        last: null,
        lastKey: "",
        lastRunAt: 0,
        running: false,
        dirty: false,
        timer: null,
        stop: () => undefined,
      };
      entry.stop = this.hub.subscribe(topics.studyTrials(studyId), (m) => {
        // A gap may hide changes too: recompute.
        if (m.type === "trialChanged" || m.type === "gap") this.schedule(studyId, entry);
      });
      this.watched.set(studyId, entry);
      w = entry;
      this.schedule(studyId, entry);
    }
    const watched = w;
    const queue: BoundedQueue<StudyProgressPayload> = new BoundedQueue<StudyProgressPayload>({
      capacity: 1,
      keyOf: () => "latest",
      onClose: () => {
        watched.queues.delete(queue);
        if (watched.queues.size === 0 && this.watched.get(studyId) === watched) this.unwatch(studyId, watched);
      },
    });
    watched.queues.add(queue);
    if (watched.last) queue.push(watched.last);
    return queue;
  }

  close(): void {
    for (const [id, w] of this.watched) {
      for (const q of w.queues) q.end();
      this.unwatch(id, w);
    }
  }

  private unwatch(studyId: string, w: Watched): void {
    w.stop();
    if (w.timer) clearTimeout(w.timer);
    w.timer = null;
    this.watched.delete(studyId);
  }

  private schedule(studyId: string, w: Watched): void {
    if (w.running) {
      w.dirty = true;
      return;
    }
    if (w.timer) return;
    const wait = Math.max(0, w.lastRunAt + (this.options.minIntervalMs ?? 100) - Date.now());
    w.timer = setTimeout(() => {
      w.timer = null;
      void this.compute(studyId, w);
    }, wait);
  }

  private async compute(studyId: string, w: Watched): Promise<void> {
    if (this.watched.get(studyId) !== w) return;
    w.running = true;
    w.lastRunAt = Date.now();
    try {
      const [counts, best] = await Promise.all([this.source.countsByState([studyId]), this.source.bestOfStudies([studyId])]);
      const c = counts.get(studyId) ?? {};
      const full: Record<TrialState, number> = {
        WAITING: c.WAITING ?? 0,
        RUNNING: c.RUNNING ?? 0,
        COMPLETE: c.COMPLETE ?? 0,
        PRUNED: c.PRUNED ?? 0,
        FAIL: c.FAIL ?? 0,
      };
      const bestTrial = best.get(studyId) ?? null;
      const bestValue = bestTrial?.values?.[0] ?? null;
      const key = JSON.stringify([full, bestTrial?.id ?? null, bestValue]);
      if (key !== w.lastKey) {
        w.lastKey = key;
        w.last = {
          studyId,
          counts: full,
          total: Object.values(full).reduce((a, b) => a + b, 0),
          bestTrial,
          bestValue,
          time: new Date(),
        };
        for (const q of w.queues) q.push(w.last);
      }
    } catch {
      // A failed read (the database is restarting, say): the next change tries again.
      w.dirty = true;
    } finally {
      w.running = false;
      if (w.dirty && this.watched.get(studyId) === w) {
        w.dirty = false;
        this.schedule(studyId, w);
      }
    }
  }
}
