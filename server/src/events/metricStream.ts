import { BoundedQueue } from "./boundedQueue";
import { topics, type EventHub } from "./eventHub";
import type { BusMessage } from "./events";
import { batchesOf, batchesOfRows, cursorAfter, pointKey, type MetricBatchPayload } from "./metricBatch";
import { compareCursors, type MetricCursor } from "./metricCursor";
import type { ReplayScope, StreamQueries } from "./streamQueries";

export interface MetricStreamOptions {
  /**
   * Live batches held for a subscriber that reads slower than reports arrive; default 1,000. When
   * it is full the stream drops what it holds and catches up from the database (see MetricStream).
   */
  bufferBatches?: number;
  /** Rows read per replay query; default 2,000. */
  replayPageRows?: number;
  /**
   * How far live delivery may lag behind a commit (the NOTIFY round trip, a busy event loop): live
   * points that a replay already sent are recognised within this window; default 30 s.
   */
  seamMs?: number;
}

/** Where a resumed stream starts: stored points after a cursor and/or above a step. */
export interface ResumePosition {
  after: MetricCursor | null;
  afterStep: number | null;
}

interface Replay {
  cursor: MetricCursor | null;
  afterStep: number | null;
  pending: MetricBatchPayload[];
  done: boolean;
}

/**
 * metricsReported for one study or one trial.
 *
 * With a resume position it first replays what was stored after it, read from the database page by
 * page as the client reads, then goes live. Live events are followed from the start, so none falls
 * between the replay and the live part, and a live batch whose points the replay already sent is
 * cut to the points it did not send (points are unique per trial, series and step): the seam has
 * no duplicates and no holes.
 *
 * Slow subscribers: live batches wait in a bounded buffer. When it is full (or the event bus says
 * events may have been lost), the stream stops buffering: it delivers what the buffer held, then
 * catches up from the database after the furthest batch delivered, exactly like a resume; those
 * batches arrive with `replayed: true`. Memory per subscriber stays bounded, reporters never wait, and a subscriber
 * that cannot keep up reads pages from the database instead of live events.
 *
 * Known limit: positions order reports by their statement's start time. A report that started
 * before the position's report but committed after it (both within the same few milliseconds) is
 * not replayed; `afterStep` on resume has no such window.
 */
export class MetricStream implements AsyncIterableIterator<MetricBatchPayload> {
  private readonly queue: BoundedQueue<MetricBatchPayload>;
  private readonly stopFollowing: () => void;
  private readonly seamUs: bigint;
  /** Drops and gaps so far: a replay ends only with a page that started after the last one. */
  private losses = 0;
  private replay: Replay | null;
  /** Keys of recently replayed points, which may still arrive live; null once past the seam. */
  private replayed: Set<string> | null = null;
  private recentFromUs = 0n;
  private seamEndsUs = 0n;
  /**
   * The furthest position handed towards the subscriber (delivered, or accepted into the buffer or
   * by a waiting read): where catching up starts.
   */
  private furthest: MetricCursor | null = null;
  private readonly startedUs = BigInt(Date.now() - 5000) * 1000n;
  /** Live batches held when the stream fell behind, delivered before its catch-up. */
  private backlog: MetricBatchPayload[] = [];

  constructor(
    hub: EventHub,
    private readonly queries: StreamQueries,
    private readonly scope: ReplayScope,
    position: ResumePosition | null,
    private readonly options: MetricStreamOptions = {},
  ) {
    this.seamUs = BigInt(options.seamMs ?? 30_000) * 1000n;
    this.queue = new BoundedQueue({ capacity: options.bufferBatches ?? 1000, onClose: () => this.stopFollowing() });
    const topic = scope.trialId ? topics.trialMetrics(scope.trialId) : topics.studyMetrics(scope.studyId!);
    // Follow live events before the first replay query, so nothing falls between the two.
    this.stopFollowing = hub.subscribe(topic, (m) => this.take(m));
    this.replay = position ? { cursor: position.after, afterStep: position.afterStep, pending: [], done: false } : null;
  }

  /** Whether the stream is reading from the database rather than live (for tests and metrics). */
  get catchingUp(): boolean {
    return this.replay !== null;
  }

  private take(message: BusMessage): void {
    if (message.type === "gap") {
      this.fallBehind(null);
      return;
    }
    if (message.type !== "metricsReported") return;
    for (const batch of batchesOf(message)) {
      if (!this.queue.push(batch)) {
        this.fallBehind(batch);
        return;
      }
      this.advance(batch);
    }
  }

  /** Live batches were lost (buffer full or bus gap): the database has them; read from there. */
  private fallBehind(lost: MetricBatchPayload | null): void {
    this.losses++;
    if (this.replay) {
      // Already reading from the database: what is buffered, a later page reads anyway.
      this.queue.clear();
      return;
    }
    // What the buffer holds is still delivered first; the catch-up starts after the furthest of it.
    this.backlog = this.queue.drain();
    this.queue.interrupt();
    // Nothing delivered or held: from just before the batch lost, or (a gap) from a little before
    // this stream started.
    const from = this.furthest ?? { reportedUs: (lost ? BigInt(lost.reportedUs) - 1n : this.startedUs).toString(), trialId: "0", name: "", step: -1 };
    this.replay = { cursor: from, afterStep: null, pending: [], done: false };
  }

  async next(): Promise<IteratorResult<MetricBatchPayload>> {
    for (;;) {
      if (this.queue.isClosed) return { value: undefined, done: true };
      const batch = this.backlog.length ? this.backlog.shift()! : this.replay ? await this.nextReplayed() : await this.nextLive();
      if (batch === undefined) return { value: undefined, done: true };
      if (batch === null) continue;
      this.advance(batch);
      return { value: batch, done: false };
    }
  }

  private advance(batch: MetricBatchPayload): void {
    const position = cursorAfter(batch);
    if (!this.furthest || compareCursors(position, this.furthest) > 0) this.furthest = position;
  }

  /** The next live batch (undefined at the end; null when there is none to give right now). */
  private async nextLive(): Promise<MetricBatchPayload | null | undefined> {
    for (;;) {
      const batch = this.queue.shift();
      if (batch) return this.unseen(batch);
      if (this.queue.isClosed) return undefined;
      // Fell behind while waiting: the caller turns to the backlog and the database.
      if (this.replay || this.backlog.length) return null;
      await this.queue.whenReady();
    }
  }

  /** The next replayed batch; null when the replay has just caught up with the live stream. */
  private async nextReplayed(): Promise<MetricBatchPayload | null> {
    const replay = this.replay!;
    if (replay.pending.length) return replay.pending.shift()!;
    if (replay.done) {
      if (this.replay === replay) this.replay = null;
      return null;
    }
    const lossesBefore = this.losses;
    const startedUs = BigInt(await this.queries.nowUs());
    const limit = this.options.replayPageRows ?? 2000;
    const rows = await this.queries.replayPage(this.scope, replay.afterStep, replay.cursor, limit);
    if (this.replay !== replay) return null;
    if (!this.replayed) {
      this.replayed = new Set();
      this.recentFromUs = startedUs - this.seamUs;
    }
    for (const r of rows) {
      if (BigInt(r.reportedUs) >= this.recentFromUs) this.replayed.add(pointKey(r.trialId, r.name, r.step));
    }
    const last = rows.at(-1);
    if (last) replay.cursor = { reportedUs: last.reportedUs, trialId: last.trialId, name: last.name, step: last.step };
    replay.pending = batchesOfRows(rows);
    if (rows.length < limit && this.losses === lossesBefore) {
      // This page saw every commit before it started, including whatever live batches were lost
      // while the replay ran.
      replay.done = true;
      this.seamEndsUs = startedUs + this.seamUs;
    }
    return replay.pending.shift() ?? null;
  }

  /** A live batch without the points the replay sent; null when nothing is left. */
  private unseen(batch: MetricBatchPayload): MetricBatchPayload | null {
    const replayed = this.replayed;
    if (!replayed) return batch;
    if (BigInt(batch.reportedUs) > this.seamEndsUs) {
      this.replayed = null;
      return batch;
    }
    const points = batch.points.filter((p) => !replayed.has(pointKey(batch.trialId, batch.name, p.step)));
    if (points.length === batch.points.length) return batch;
    return points.length ? { ...batch, points } : null;
  }

  return(): Promise<IteratorResult<MetricBatchPayload>> {
    this.replay = null;
    this.backlog = [];
    this.replayed = null;
    return this.queue.return();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
