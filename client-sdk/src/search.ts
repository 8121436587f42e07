import type { GraphtuneClient } from "./client";
import {
  CancelSearchDocument,
  GetSearchDocument,
  StudyProgressDocument,
  type GetSearchQuery,
  type SearchFieldsFragment,
  type SearchState,
} from "./generated/graphql";
import { NotFoundError } from "./errors";
import type { JsonValue } from "./json";
import type { LiveConnection } from "./live";

/** A search as the server last described it, with its best trial and test evaluation. */
export type SearchSnapshot = NonNullable<GetSearchQuery["search"]>;

export interface StartSearchOptions {
  /** Trials to run; omitted: until the timeout or a cancel. */
  nTrials?: number;
  /** No trial starts after this many seconds; running ones finish. */
  timeoutSeconds?: number;
  /** Trials running at once; default 1. */
  concurrency?: number;
  /** How often a failed trial runs again with the same parameters; default 0. */
  maxRetries?: number;
  /** The trainer and its settings, e.g. { trainer: "tfjs-mlp", dataset: "digits", epochs: 30 }. */
  task: { trainer: string } & Record<string, JsonValue>;
}

const ENDED: SearchState[] = ["COMPLETED", "CANCELLED", "FAILED"];

/**
 * A search: trials of one study that the server's executors run. `progress()` follows it live
 * until it ends; `cancel()` stops it.
 */
export class Search {
  private last: SearchFieldsFragment;

  constructor(
    private readonly client: GraphtuneClient,
    private readonly live: LiveConnection,
    fields: SearchFieldsFragment,
  ) {
    this.last = fields;
  }

  get studyId(): string {
    return this.last.study.id;
  }

  get id(): string {
    return this.last.id;
  }

  /** The state at the last refresh. */
  get state(): SearchState {
    return this.last.state;
  }

  /** Everything known at the last refresh. */
  get snapshot(): SearchFieldsFragment {
    return this.last;
  }

  get ended(): boolean {
    return ENDED.includes(this.last.state);
  }

  async refresh(): Promise<SearchSnapshot> {
    const { search } = await this.client.request(GetSearchDocument, { id: this.id });
    if (!search) throw new NotFoundError(`search ${this.id} does not exist (its study may have been deleted).`, "NOT_FOUND", "id");
    this.last = search;
    return search;
  }

  /** Stops the search: running trials fail at once and their executors stop. */
  async cancel(): Promise<SearchFieldsFragment> {
    this.last = (await this.client.request(CancelSearchDocument, { id: this.id })).cancelSearch;
    return this.last;
  }

  /**
   * The search's state now, then again after each change of its study's trials (live over
   * graphql-ws, reconnecting as watchProgress does) and at least every `pollMs` (default 1000: a
   * search also ends without any trial changing, e.g. at its timeout), until it ends (the last item
   * is the ended search).
   */
  async *progress(options: { signal?: AbortSignal; pollMs?: number } = {}): AsyncGenerator<SearchSnapshot, void, undefined> {
    const stop = new AbortController();
    const abort = () => stop.abort();
    options.signal?.addEventListener("abort", abort, { once: true });
    const changes = this.live.subscribe(StudyProgressDocument, () => ({ studyId: this.studyId }), { signal: stop.signal });
    try {
      let previous = "";
      let next = changes.next();
      for (;;) {
        const search = await this.refresh();
        const key = JSON.stringify([search.state, search.completedTrials, search.runningTrials, search.failedTrials, search.evaluation]);
        if (key !== previous) {
          previous = key;
          yield search;
        }
        if (this.ended || stop.signal.aborted) return;
        let timer: ReturnType<typeof setTimeout> | undefined;
        const tick = new Promise<"tick">((resolve) => (timer = setTimeout(() => resolve("tick"), options.pollMs ?? 1000)));
        const woke = await Promise.race([next, tick]);
        clearTimeout(timer);
        if (woke !== "tick") {
          if (woke.done) return;
          next = changes.next();
        }
      }
    } finally {
      options.signal?.removeEventListener("abort", abort);
      stop.abort();
      await changes.return(undefined);
    }
  }

  /** Resolves with the ended search. */
  async wait(options: { signal?: AbortSignal } = {}): Promise<SearchSnapshot> {
    let last: SearchSnapshot | null = null;
    for await (const snapshot of this.progress(options)) last = snapshot;
    return last ?? (await this.refresh());
  }
}
