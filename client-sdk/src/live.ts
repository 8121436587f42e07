import type { DocumentTypeDecoration } from "@graphql-typed-document-node/core";
import { createClient, type Client } from "graphql-ws/client";
import NodeWebSocket from "ws";
import { ForbiddenError, GraphtuneError, NetworkError, UnauthenticatedError, errorFromServer } from "./errors";
import { backoffMs, sleep, type RetryOptions } from "./retry";

export interface LiveOptions {
  /** The WebSocket endpoint; default: the HTTP url with ws:// or wss://. */
  wsUrl?: string;
  /**
   * A WebSocket class; default: the global WebSocket (browsers, Node 22+), else the `ws` package
   * (Node 20).
   */
  webSocketImpl?: unknown;
  /**
   * Reconnection after a dropped connection. `attempts` counts failed reconnections in a row (a
   * connection that delivers anything starts the count again); default 10 tries, 200 ms doubling
   * to 5 s between them. After the last, the watch throws NetworkError.
   */
  retry?: RetryOptions;
  /**
   * A ping every this many ms, and a connection that does not answer within another such period
   * is dropped and reconnected, so a half-open socket cannot stall a watch; default 10,000. 0 turns
   * pings off.
   */
  keepAliveMs?: number;
}

const DEFAULT_LIVE_RETRY: Required<RetryOptions> = { attempts: 10, initialDelayMs: 200, maxDelayMs: 5000 };

/** Close codes after which reconnecting cannot help. */
const FATAL_CLOSE = new Map<number, (reason: string) => GraphtuneError>([
  [4400, (r) => new GraphtuneError(`the server refused the subscription request: ${r}`, "BAD_REQUEST")],
  [4401, (r) => new UnauthenticatedError(`the server wants credentials for live streams (${r}); pass apiKey.`, "UNAUTHENTICATED")],
  [4403, (r) => new ForbiddenError(`the server refused this client's live streams (${r}); check apiKey.`, "FORBIDDEN")],
  [4406, (r) => new GraphtuneError(`the server does not speak graphql-transport-ws (${r})`, "BAD_RESPONSE")],
]);

/** One graphql-ws connection, opened on first use, shared by every watch of a Graphtune. */
export class LiveConnection {
  private client: Client | null = null;
  private readonly retry: Required<RetryOptions>;

  constructor(
    private readonly httpUrl: string,
    private readonly apiKey: string | undefined,
    private readonly options: LiveOptions = {},
  ) {
    this.retry = { ...DEFAULT_LIVE_RETRY, ...options.retry };
  }

  /**
   * Subscribes, and after a dropped connection subscribes again with `variables()` asked afresh,
   * so a caller that tracks its position (a metrics cursor) resumes where it was. Errors the server
   * answers (NOT_FOUND, BAD_USER_INPUT, ...) end the iteration as GraphtuneErrors; only transport
   * faults are retried.
   */
  async *subscribe<TResult, TVariables>(
    document: DocumentTypeDecoration<TResult, TVariables> & { toString(): string },
    variables: () => TVariables,
    options: {
      /** Sees each result before it is yielded: where a caller records its position. */
      track?: (result: TResult) => void;
      /** Ends the iteration. */
      signal?: AbortSignal;
    } = {},
  ): AsyncGenerator<TResult, void, undefined> {
    const { track, signal } = options;
    const query = document.toString();
    let failures = 0;
    let lastFault = "";
    for (;;) {
      if (signal?.aborted) return;
      // graphql-ws itself resends this payload if the server closes normally while we listen: keep
      // its variables current so that such a resend resumes from the latest position too.
      const payload = { query, variables: variables() as Record<string, unknown> };
      const iterator = this.connection().iterate<TResult>(payload);
      const stop = () => void iterator.return?.();
      signal?.addEventListener("abort", stop, { once: true });
      try {
        for await (const result of iterator) {
          if (result.errors?.length) {
            const e = result.errors[0] as { message: string; extensions?: { code?: string; field?: string } };
            throw errorFromServer(e.message, e.extensions?.code, e.extensions?.field);
          }
          failures = 0;
          track?.(result.data as TResult);
          payload.variables = variables() as Record<string, unknown>;
          yield result.data as TResult;
        }
        return;
      } catch (error) {
        if (signal?.aborted) return;
        const fatal = asFatal(error);
        if (fatal) throw fatal;
        failures++;
        lastFault = describe(error);
        if (failures >= this.retry.attempts) {
          throw new NetworkError(
            `the live stream from ${this.wsUrl()} was lost and ${failures} reconnections failed (last: ${lastFault}); ` +
              `check that the server is running and reachable. LiveOptions.retry sets how long to keep trying.`,
            "NETWORK_ERROR",
          );
        }
        await sleep(backoffMs(this.retry, failures), signal).catch(() => undefined);
      } finally {
        signal?.removeEventListener("abort", stop);
        await iterator.return?.();
      }
    }
  }

  /** Closes the WebSocket; watches still running end. */
  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    await client?.dispose();
  }

  private wsUrl(): string {
    return this.options.wsUrl ?? this.httpUrl.replace(/^http/, "ws");
  }

  private connection(): Client {
    if (this.client) return this.client;
    const keepAlive = this.options.keepAliveMs ?? 10_000;
    let socket: { readyState: number; close(code: number, reason: string): void } | null = null;
    let pongTimer: ReturnType<typeof setTimeout> | undefined;
    this.client = createClient({
      url: this.wsUrl(),
      webSocketImpl: this.options.webSocketImpl ?? defaultWebSocket(),
      connectionParams: this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : undefined,
      lazy: true,
      // Reconnection is ours (subscribe above), so that each resubscription carries a fresh position.
      retryAttempts: 0,
      keepAlive,
      on: {
        connected: (s) => {
          socket = s as typeof socket;
        },
        ping: (received) => {
          if (received || !keepAlive) return;
          clearTimeout(pongTimer);
          pongTimer = setTimeout(() => {
            if (socket?.readyState === 1) socket.close(4408, "no pong in time");
          }, keepAlive);
        },
        pong: (received) => {
          if (received) clearTimeout(pongTimer);
        },
        closed: () => clearTimeout(pongTimer),
      },
    });
    return this.client;
  }
}

function defaultWebSocket(): unknown {
  const global = (globalThis as { WebSocket?: unknown }).WebSocket;
  if (global) return global;
  // Node 20 has no global WebSocket; `ws` is a dependency of this package.
  return NodeWebSocket;
}

function asFatal(error: unknown): GraphtuneError | null {
  if (error instanceof GraphtuneError) return error;
  if (Array.isArray(error)) {
    const e = error[0] as { message?: string; extensions?: { code?: string; field?: string } } | undefined;
    return errorFromServer(e?.message ?? "the subscription failed", e?.extensions?.code, e?.extensions?.field);
  }
  const close = error as { code?: unknown; reason?: unknown } | null;
  if (close && typeof close.code === "number") {
    const make = FATAL_CLOSE.get(close.code);
    if (make) return make(String(close.reason ?? ""));
  }
  return null;
}

function describe(error: unknown): string {
  const e = error as { code?: unknown; reason?: unknown; message?: unknown } | null;
  if (e && typeof e.code === "number") return `closed with ${e.code}${e.reason ? ` ${String(e.reason)}` : ""}`;
  if (e && typeof e.message === "string") return e.message;
  return String(error);
}
