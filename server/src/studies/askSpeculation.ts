import type { JsonValue } from "../optimization";
import type { StudyRecord } from "./records";

/**
 * Tries of one study that one process has at PostgreSQL at once. Two keep one waiting on the lock
 * while the other commits; more only wait on the lock together and all wake at each commit
 * (measured with 16 workers on one study: PostgreSQL CPU per request 20% lower with two).
 */
const MAX_AT_ONCE = 2;

/** One ask's try at starting a trial of a study in one statement. */
export interface AskTry {
  study: StudyRecord;
  /** The study's search space as it was seen, which the statement checks is still current. */
  spaceJson: string;
  samplerState: JsonValue | null;
  /** The numbers this ask may get: first, first + 1, ..., first + count - 1. */
  first: number;
  count: number;
  /**
   * Ends the try: `taken` the number the trial got, or null when nothing was inserted, with
   * `seenNext` the study's next number as the statement saw it.
   */
  end(taken: number | null, seenNext: number | null): void;
}

interface Entry {
  study: StudyRecord;
  spaceJson: string;
  samplerState: JsonValue | null;
  /** The lowest number no ask of this process is known to have taken. */
  next: number;
  /** Tries of this study under way in this process. */
  inflight: number;
  /** Recent peak of tries under way: a try may lose the lock to tries that begin after it. */
  peak: number;
  /** Tries waiting for one under way to end (see MAX_AT_ONCE). */
  waiting: Array<() => void>;
  /** Asks to run the locking way before trying again, after a miss. */
  skip: number;
  backoff: number;
}

/**
 * One-statement asks for studies whose sampler needs no history (RANDOM, QMC: the sample is a
 * function of the space, the sampler's settings and the trial number). Such an ask samples before
 * it takes the study's lock, then starts the trial in one statement that, under the lock, takes
 * the study's next number and the sample drawn for it: one round trip instead of two, and the lock
 * is held for that statement alone instead of across a round trip to this process.
 *
 * A process has at most MAX_AT_ONCE tries of a study at PostgreSQL; further asks wait their turn
 * here. Tries under way race for the lock in no particular order, so each samples a window of
 * numbers: from the lowest not known to be taken, one per try under way (including itself) and one
 * per try that may begin while it waits (the recent peak of tries under way). Whatever the order,
 * each then finds its number in its window.
 *
 * A miss (another process asked meanwhile and moved the number past the window, a trial was
 * enqueued, the space changed) inserts nothing; the ask then takes the locking way, and this
 * process tries less often for that study (backing off up to 1 ask in 65), so replicas that share
 * a study do not keep paying for misses.
 */
export class AskSpeculation {
  private readonly entries = new Map<string, Entry>();
  /** Tries that started their trial, and tries that inserted nothing (for tests and metrics). */
  readonly counts = { hits: 0, misses: 0 };

  constructor(private readonly maxStudies = 1000) {}

  /** A try for this ask (once its turn comes), or null when it should take the lock first. */
  async begin(studyId: string): Promise<AskTry | null> {
    const e = this.entries.get(studyId);
    if (!e) return null;
    if (e.skip > 0) {
      e.skip--;
      return null;
    }
    while (e.inflight >= MAX_AT_ONCE) await new Promise<void>((resolve) => e.waiting.push(resolve));
    e.inflight++;
    e.peak = Math.max(e.peak, e.inflight);
    let ended = false;
    return {
      study: e.study,
      spaceJson: e.spaceJson,
      samplerState: e.samplerState,
      first: e.next,
      count: e.inflight + Math.ceil(e.peak) - 1,
      end: (taken, seenNext) => {
        if (ended) return;
        ended = true;
        e.inflight--;
        e.waiting.shift()?.();
        // The peak fades by one every 16 tries once concurrency drops.
        e.peak = Math.max(e.inflight + 1, e.peak - 1 / 16);
        if (taken !== null) {
          this.counts.hits++;
          e.next = Math.max(e.next, taken + 1);
          e.backoff = 0;
        } else {
          this.counts.misses++;
          if (seenNext !== null) e.next = Math.max(e.next, seenNext);
          e.backoff = Math.min(Math.max(1, e.backoff * 2), 64);
          e.skip = e.backoff;
        }
      },
    };
  }

  /**
   * What a locking ask saw: the study, its sampler state and the number the next ask should take.
   * Studies whose sampler needs history are not tried.
   */
  learn(study: StudyRecord, samplerState: JsonValue | null, next: number, historyFree: boolean): void {
    const old = this.entries.get(study.id);
    if (!historyFree) {
      if (old) this.entries.delete(study.id);
      return;
    }
    if (old) {
      old.study = study;
      old.spaceJson = JSON.stringify(study.searchSpace);
      old.samplerState = samplerState;
      old.next = Math.max(old.next, next);
      return;
    }
    if (this.entries.size >= this.maxStudies) this.entries.delete(this.entries.keys().next().value!);
    const spaceJson = JSON.stringify(study.searchSpace);
    this.entries.set(study.id, { study, spaceJson, samplerState, next, inflight: 0, peak: 1, waiting: [], skip: 0, backoff: 0 });
  }
}
