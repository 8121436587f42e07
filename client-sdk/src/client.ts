import type { DocumentTypeDecoration } from "@graphql-typed-document-node/core";
import { BadResponseError, GraphtuneError, NetworkError, errorFromServer } from "./errors";
import { DEFAULT_RETRY, backoffMs, faultOf, sleep, type Fault, type RetryOptions } from "./retry";

export interface ClientOptions {
  /** The server's GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql. */
  url: string;
  /** Sent as `authorization: Bearer <apiKey>` when set (and as connectionParams on WebSockets). */
  apiKey?: string;
  /** A fetch implementation; default: the global fetch (Node 18+ and browsers). */
  fetch?: typeof fetch;
  /** Retries after network faults; see RetryOptions for the defaults. */
  retry?: RetryOptions;
  /**
   * How long one try may wait for its answer, in ms, before it is aborted and counts as a network
   * fault (checked about once a second); default 30,000.
   */
  timeoutMs?: number;
  /** More headers for every request; default none. */
  headers?: Record<string, string>;
}

export interface RequestOptions {
  /**
   * Whether another try is safe after one that may have reached the server. Default: true for
   * queries, false for mutations. The SDK sets it for the mutations the server makes idempotent
   * (reportMetrics per step, suggestParam per name, tellTrial with its conflict check). Tries
   * that certainly never reached the server (connection refused) are retried either way.
   */
  idempotent?: boolean;
  /** Cancels the request, including its waits between tries. */
  signal?: AbortSignal;
}

/** A typed document (generated) or a plain query string. */
export type Document<TResult, TVariables> = string | (DocumentTypeDecoration<TResult, TVariables> & { toString(): string });

interface GraphqlBody<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; field?: string } }[];
}

/** A try waiting for its answer. */
interface InFlight {
  deadline: number;
  controller: AbortController;
  timedOut: boolean;
  onAbort: (() => void) | null;
}

/** What one try ended with: an answer, or a fault that another try may get past. */
type TryResult<T> = { data: T } | { fault: Fault };

/**
 * Sends GraphQL operations over HTTP. The first error of a response is thrown as the
 * GraphtuneError subclass for its code; network faults are retried with backoff as RequestOptions
 * allows, and NetworkError is thrown after the last try.
 */
export class GraphtuneClient {
  private readonly fetchImpl: typeof fetch;
  private readonly retry: Required<RetryOptions>;
  private readonly headers: Record<string, string>;
  /** Operation kind and name per document text, parsed once. */
  private readonly described = new Map<string, { query: boolean; name: string }>();
  private readonly timeoutMs: number;
  private readonly inFlight = new Set<InFlight>();
  private sweeper: ReturnType<typeof setInterval> | null = null;

  constructor(readonly options: ClientOptions) {
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.headers = { "content-type": "application/json", accept: "application/json", ...options.headers };
    if (options.apiKey) this.headers.authorization = `Bearer ${options.apiKey}`;
  }

  async request<TResult = Record<string, unknown>, TVariables = Record<string, unknown>>(
    document: Document<TResult, TVariables>,
    variables?: TVariables,
    options: RequestOptions = {},
  ): Promise<TResult> {
    const query = document.toString();
    const operation = this.describe(query);
    const idempotent = options.idempotent ?? operation.query;
    const body = JSON.stringify({ query, variables });
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      let result: TryResult<TResult>;
      try {
        result = await this.once<TResult>(body, options.signal);
      } catch (error) {
        if (error instanceof GraphtuneError) error.attempts = attempt;
        throw error;
      }
      if ("data" in result) return result.data;
      const { fault } = result;
      const mayRetry = fault.notSent || idempotent;
      if (!mayRetry || attempt >= this.retry.attempts) {
        throw this.networkError(operation.name, attempt, Date.now() - started, fault, mayRetry);
      }
      await sleep(backoffMs(this.retry, attempt), options.signal);
    }
  }

  /** One try: the data, a GraphtuneError for an error answer, or the fault that stopped it. */
  private async once<T>(body: string, signal: AbortSignal | undefined): Promise<TryResult<T>> {
    const pending = this.track(signal);
    let response: Response;
    let text: string;
    try {
      response = await this.fetchImpl(this.options.url, { method: "POST", headers: this.headers, body, signal: pending.controller.signal });
      text = await response.text();
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      return { fault: faultOf(error, pending.timedOut) };
    } finally {
      this.untrack(pending, signal);
    }
    let parsed: GraphqlBody<T> | undefined;
    try {
      parsed = JSON.parse(text) as GraphqlBody<T>;
    } catch {
      parsed = undefined;
    }
    if (!parsed || typeof parsed !== "object" || (parsed.data === undefined && !parsed.errors)) {
      // A gateway between us and the server (502/503/504), or a server restarting: worth another try.
      if (response.status >= 500 || response.status === 429) {
        return { fault: { description: `HTTP ${response.status} without a GraphQL body`, notSent: false } };
      }
      throw new BadResponseError(`the server at ${this.options.url} answered HTTP ${response.status} without a GraphQL body; check the url.`, "BAD_RESPONSE");
    }
    const error = parsed.errors?.[0];
    if (error) throw errorFromServer(error.message, error.extensions?.code, error.extensions?.field);
    if (parsed.data == null) {
      throw new BadResponseError(`the server answered HTTP ${response.status} without data`, "BAD_RESPONSE");
    }
    return { data: parsed.data };
  }

  /**
   * Registers a try in flight. One coarse timer for all of them aborts those past their deadline:
   * far cheaper per request than a timer each, at the price of a deadline kept within a second.
   */
  private track(signal: AbortSignal | undefined): InFlight {
    const pending: InFlight = { deadline: Date.now() + this.timeoutMs, controller: new AbortController(), timedOut: false, onAbort: null };
    if (signal) {
      pending.onAbort = () => pending.controller.abort(signal.reason);
      signal.addEventListener("abort", pending.onAbort, { once: true });
    }
    this.inFlight.add(pending);
    if (!this.sweeper) {
      this.sweeper = setInterval(() => this.sweep(), Math.min(1000, Math.max(10, this.timeoutMs / 4)));
      (this.sweeper as { unref?: () => void }).unref?.();
    }
    return pending;
  }

  private untrack(pending: InFlight, signal: AbortSignal | undefined): void {
    this.inFlight.delete(pending);
    if (pending.onAbort) signal?.removeEventListener("abort", pending.onAbort);
    if (this.inFlight.size === 0 && this.sweeper) {
      clearInterval(this.sweeper);
      this.sweeper = null;
    }
  }

  private sweep(): void {
    const now = Date.now();
    for (const pending of this.inFlight) {
      if (pending.deadline <= now && !pending.timedOut) {
        pending.timedOut = true;
        pending.controller.abort(new Error("request timed out"));
      }
    }
  }

  private networkError(name: string, tries: number, elapsedMs: number, fault: Fault, mayRetry: boolean): NetworkError {
    const where = `the server at ${this.options.url}`;
    const message = mayRetry
      ? `${name} failed after ${tries} ${tries === 1 ? "try" : "tries"} over ${(elapsedMs / 1000).toFixed(1)} s: ${fault.description}. ` +
        `Check that ${where} is running and reachable; ClientOptions.retry sets how long to keep trying.`
      : `${name} failed: ${fault.description}. It was not tried again because the request may have reached ${where} ` +
        `and ${name} is not idempotent; check what it did before repeating it.`;
    const error = new NetworkError(message, "NETWORK_ERROR");
    error.attempts = tries;
    return error;
  }

  private describe(query: string): { query: boolean; name: string } {
    let found = this.described.get(query);
    if (!found) {
      const match = /^\s*(?:#[^\n]*\n\s*)*(query|mutation|subscription)?\s*(\w+)?/.exec(query);
      const kind = match?.[1] ?? "query";
      // The name of the first field says more than an operation name a user may not have given.
      const field = /\{\s*(\w+)/.exec(query)?.[1];
      found = { query: kind === "query", name: field ?? match?.[2] ?? kind };
      this.described.set(query, found);
    }
    return found;
  }
}
