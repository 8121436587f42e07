import type { ErrorRequestHandler, RequestHandler } from "express";
import { bearerKey } from "../../auth/bearer";
import type { Authenticator } from "../../auth/authenticator";
import { PrincipalKind, type Principal } from "../../auth/principal";
import { TokenBuckets, type RateLimit } from "./tokenBucket";

export interface HttpLimits {
  /** Requests per key; default 200 per second, bursts of 2,000. */
  perKey?: RateLimit;
  /** Requests per IP address of callers without a valid key; default 20 per second, bursts of 200. */
  perAddress?: RateLimit;
  /** Operations in one batched (array) request; default 10. */
  maxBatch?: number;
  /** Subscriptions started over WebSocket per key; default 20 per second, bursts of 200. */
  subscribesPerKey?: RateLimit;
  /** WebSocket connections, and subscriptions, per IP address of callers without a key; default 5 per second, bursts of 50. */
  liveAddress?: RateLimit;
}

/**
 * The rate limits of live streams: connections per address, subscriptions per key (or address).
 * A WebSocket is opened once and reused, so these are set apart from the per-request limits.
 * Callers on a server whose auth is off (one person on loopback) are not limited.
 */
export class LiveRateLimits {
  private readonly perKey: TokenBuckets;
  private readonly perAddress: TokenBuckets;

  constructor(limits: HttpLimits = {}) {
    this.perKey = new TokenBuckets(limits.subscribesPerKey ?? { perSecond: 20 });
    this.perAddress = new TokenBuckets(limits.liveAddress ?? { perSecond: 5 });
  }

  /** Seconds to wait before this caller may connect (0: now). */
  connect(principal: Principal, address: string): number {
    if (principal.kind === PrincipalKind.Local || principal.kind === PrincipalKind.Key) return 0;
    return this.perAddress.take(address, principal.kind === PrincipalKind.Rejected ? 10 : 1);
  }

  /** Seconds to wait before this caller may subscribe (0: now). */
  subscribe(principal: Principal, address: string): number {
    if (principal.kind === PrincipalKind.Local) return 0;
    return principal.kind === PrincipalKind.Key ? this.perKey.take(principal.key!.id) : this.perAddress.take(address);
  }
}

/** A request refused before GraphQL runs: its HTTP status and GraphQL error code. */
export interface Refusal {
  status: number;
  code: string;
  message: string;
  /** Seconds, for the Retry-After header. */
  retryAfter?: number;
}

/** A refusal as a GraphQL response body. */
export function refusalBody(refusal: Refusal): string {
  return JSON.stringify({ errors: [{ message: refusal.message, extensions: { code: refusal.code } }] });
}

/** Batched (array) requests: allowed, but with at most `max` operations. */
export function batchRefusal(body: unknown, max: number): Refusal | null {
  if (!Array.isArray(body) || (body.length > 0 && body.length <= max)) return null;
  return { status: 400, code: "BAD_REQUEST", message: `a batched request holds 1 to ${max} operations (this one ${body.length}); split it.` };
}

export const PAYLOAD_TOO_LARGE: Refusal = {
  status: 413,
  code: "PAYLOAD_TOO_LARGE",
  message: "the request body is larger than this server accepts; send smaller batches.",
};
export const INVALID_JSON: Refusal = { status: 400, code: "BAD_REQUEST", message: "the request body is not valid JSON." };

/**
 * Token buckets per key, and per IP address for callers without a valid key (a refused key costs
 * more: each one made the server compute a slow hash). Over the limit: 429 with Retry-After.
 * Callers on a server whose auth is off (one person on loopback) are not limited.
 */
export class RequestRateLimits {
  private readonly perKey: TokenBuckets;
  private readonly perAddress: TokenBuckets;

  constructor(limits: HttpLimits = {}) {
    this.perKey = new TokenBuckets(limits.perKey ?? { perSecond: 200 });
    this.perAddress = new TokenBuckets(limits.perAddress ?? { perSecond: 20 });
  }

  refusal(principal: Principal, address: string, operations: number): Refusal | null {
    if (principal.kind === PrincipalKind.Local) return null;
    const wait =
      principal.kind === PrincipalKind.Key
        ? this.perKey.take(principal.key!.id, operations)
        : this.perAddress.take(address, principal.kind === PrincipalKind.Rejected ? 10 : operations);
    if (!wait) return null;
    return {
      status: 429,
      code: "RATE_LIMITED",
      message: `too many requests; retry after ${wait} s (limits are per API key, and per address without one).`,
      retryAfter: wait,
    };
  }
}

/** The caller of an HTTP request, found by `authenticate` and read by the GraphQL context. */
export function principalOf(res: { locals: Record<string, unknown> }): Principal {
  return res.locals.principal as Principal;
}

function refuse(res: Parameters<RequestHandler>[1], refusal: Refusal): void {
  if (refusal.retryAfter !== undefined) res.setHeader("retry-after", String(refusal.retryAfter));
  res.status(refusal.status).type("application/json").send(refusalBody(refusal));
}

/** Finds the caller from `authorization: Bearer <key>`; the GraphQL layer decides what it may do. */
export function authenticate(auth: Authenticator): RequestHandler {
  return (req, res, next) => {
    auth
      .authenticate(bearerKey(req.headers.authorization))
      .then((principal) => {
        res.locals.principal = principal;
        next();
      })
      .catch(next);
  };
}

/** RequestRateLimits as express middleware. */
export function rateLimit(limits: RequestRateLimits): RequestHandler {
  return (req, res, next) => {
    const refusal = limits.refusal(principalOf(res), req.ip ?? "unknown", Array.isArray(req.body) ? req.body.length : 1);
    if (refusal) refuse(res, refusal);
    else next();
  };
}

/** batchRefusal as express middleware. */
export function batchLimit(limits: HttpLimits = {}): RequestHandler {
  const max = limits.maxBatch ?? 10;
  return (req, res, next) => {
    const refusal = batchRefusal(req.body, max);
    if (refusal) refuse(res, refusal);
    else next();
  };
}

/** Body parser errors as JSON in GraphQL's shape: 413 for a body over the limit, 400 for bad JSON. */
export const bodyErrors: ErrorRequestHandler = (error, _req, res, next) => {
  const status = (error as { status?: number }).status;
  if (res.headersSent || (status !== 413 && status !== 400)) return next(error);
  refuse(res, status === 413 ? PAYLOAD_TOO_LARGE : INVALID_JSON);
};
