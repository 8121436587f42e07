/** When and how long the HTTP transport waits before trying a request again. */
export interface RetryOptions {
  /** Tries in all, the first included; default 5. 1 turns retries off. */
  attempts?: number;
  /** The wait before the second try, in ms, doubled for each later try; default 200. */
  initialDelayMs?: number;
  /** The longest wait between two tries, in ms; default 5,000. */
  maxDelayMs?: number;
}

export const DEFAULT_RETRY: Required<RetryOptions> = { attempts: 5, initialDelayMs: 200, maxDelayMs: 5000 };

/**
 * The wait before try `attempt + 1`: exponential, capped, with "equal jitter" (between half and
 * all of it) so that many workers cut off together do not come back in lockstep.
 */
export function backoffMs(options: Required<RetryOptions>, attempt: number): number {
  const full = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** (attempt - 1));
  return full / 2 + (Math.random() * full) / 2;
}

/** Error codes of a connection that was never made: nothing reached the server, any retry is safe. */
const NOT_CONNECTED = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_CONNECT_TIMEOUT"]);

/** How a failed try went, which decides whether another may follow. */
export interface Fault {
  /** What happened, for the final error message. */
  description: string;
  /** True when the request certainly did not reach the server. */
  notSent: boolean;
}

/** Describes an error thrown by fetch (a network fault or a timeout). */
export function faultOf(error: unknown, timedOut: boolean): Fault {
  if (timedOut) return { description: "no answer within the request timeout", notSent: false };
  const cause = (error as { cause?: { code?: string; message?: string } } | null)?.cause;
  const code = cause?.code;
  const detail = cause?.message ?? (error instanceof Error ? error.message : String(error));
  return { description: code ? `${detail} (${code})` : detail, notSent: code !== undefined && NOT_CONNECTED.has(code) };
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
