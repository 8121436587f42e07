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

/** The caller of an HTTP request, found by `authenticate` and read by the GraphQL context. */
export function principalOf(res: { locals: Record<string, unknown> }): Principal {
  return res.locals.principal as Principal;
}

function sendError(res: Parameters<RequestHandler>[1], status: number, code: string, message: string): void {
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
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

/**
 * Token buckets per key, and per IP address for callers without a valid key (a refused key costs
 * more: each one made the server compute a slow hash). Over the limit: 429 with Retry-After.
 * Callers on a server whose auth is off (one person on loopback) are not limited.
 */
export function rateLimit(limits: HttpLimits = {}): RequestHandler {
  const perKey = new TokenBuckets(limits.perKey ?? { perSecond: 200 });
  const perAddress = new TokenBuckets(limits.perAddress ?? { perSecond: 20 });
  return (req, res, next) => {
    const principal = principalOf(res);
    if (principal.kind === PrincipalKind.Local) return next();
    const operations = Array.isArray(req.body) ? req.body.length : 1;
    const wait =
      principal.kind === PrincipalKind.Key
        ? perKey.take(principal.key!.id, operations)
        : perAddress.take(req.ip ?? "unknown", principal.kind === PrincipalKind.Rejected ? 10 : operations);
    if (!wait) return next();
    res.setHeader("retry-after", String(wait));
    sendError(res, 429, "RATE_LIMITED", `too many requests; retry after ${wait} s (limits are per API key, and per address without one).`);
  };
}

/** Batched (array) requests: allowed, but with at most `maxBatch` operations. */
export function batchLimit(limits: HttpLimits = {}): RequestHandler {
  const max = limits.maxBatch ?? 10;
  return (req, res, next) => {
    if (!Array.isArray(req.body) || (req.body.length > 0 && req.body.length <= max)) return next();
    sendError(res, 400, "BAD_REQUEST", `a batched request holds 1 to ${max} operations (this one ${req.body.length}); split it.`);
  };
}

/** Body parser errors as JSON in GraphQL's shape: 413 for a body over the limit, 400 for bad JSON. */
export const bodyErrors: ErrorRequestHandler = (error, _req, res, next) => {
  const status = (error as { status?: number }).status;
  if (res.headersSent || (status !== 413 && status !== 400)) return next(error);
  if (status === 413) sendError(res, 413, "PAYLOAD_TOO_LARGE", "the request body is larger than this server accepts; send smaller batches.");
  else sendError(res, 400, "BAD_REQUEST", "the request body is not valid JSON.");
};
