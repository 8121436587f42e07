/** Requests per second per caller: a burst up to `burst`, refilled at `perSecond`. */
export interface RateLimit {
  /** Sustained requests per second; default 200 for a key, 20 for callers without one (by IP). */
  perSecond: number;
  /** Requests allowed at once after a quiet spell; default 10 seconds' worth. */
  burst?: number;
}

/**
 * Token buckets by caller (a key id, or an IP address). Buckets that have refilled completely are
 * forgotten, so memory stays bounded by the callers active in the last few seconds.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly burst: number;

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.burst = limit.burst ?? limit.perSecond * 10;
  }

  /** Takes `cost` tokens; answers 0 when allowed, else the seconds until they would be there. */
  take(caller: string, cost = 1): number {
    const now = this.now();
    const bucket = this.buckets.get(caller) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.limit.perSecond);
    bucket.at = now;
    if (bucket.tokens < cost) {
      this.buckets.set(caller, bucket);
      return Math.max(1, Math.ceil((cost - bucket.tokens) / this.limit.perSecond));
    }
    bucket.tokens -= cost;
    this.buckets.set(caller, bucket);
    if (this.buckets.size > 50_000) this.forgetFull(now);
    return 0;
  }

  private forgetFull(now: number): void {
    for (const [caller, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.at) / 1000) * this.limit.perSecond >= this.burst) this.buckets.delete(caller);
    }
  }
}
