/** Small statistics for benchmark tables. */
export function median(xs: number[]): number {
  return quantile(xs, 0.5);
}

export function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

export function fmt(x: number, digits = 1): string {
  return Number.isFinite(x) ? x.toFixed(digits) : String(x);
}

/** Prints rows as an aligned text table. */
export function printTable(header: string[], rows: (string | number)[][]): void {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  for (const [k, r] of cells.entries()) {
    console.log(r.map((c, i) => c.padEnd(widths[i])).join("  "));
    if (k === 0) console.log(widths.map((w) => "-".repeat(w)).join("  "));
  }
}

/** A table as text: first column left-aligned, the others right-aligned (numbers line up). */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** Spearman's rank correlation of two equally long samples (ties get their mean rank). */
export function spearman(a: number[], b: number[]): number {
  const ra = ranks(a);
  const rb = ranks(b);
  const mean = (a.length + 1) / 2;
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < a.length; i++) {
    num += (ra[i] - mean) * (rb[i] - mean);
    da += (ra[i] - mean) ** 2;
    db += (rb[i] - mean) ** 2;
  }
  return num / Math.sqrt(da * db);
}

function ranks(xs: number[]): number[] {
  const order = xs.map((x, i) => ({ x, i })).sort((p, q) => p.x - q.x);
  const out = new Array<number>(xs.length);
  for (let k = 0; k < order.length; ) {
    let end = k;
    while (end + 1 < order.length && order[end + 1].x === order[k].x) end++;
    for (let m = k; m <= end; m++) out[order[m].i] = (k + end) / 2 + 1;
    k = end + 1;
  }
  return out;
}

/** Seeds won and lost by `ours` against `theirs` (smaller is better), and the sign test of the wins. */
export interface PairedWins {
  wins: number;
  losses: number;
  /**
   * One-sided exact sign test: the chance of at least `wins` wins out of wins + losses (ties left
   * out) if neither side were better. Small means the wins are unlikely to be luck.
   */
  p: number;
}

export function pairedWins(ours: number[], theirs: number[]): PairedWins {
  let wins = 0;
  let losses = 0;
  for (let s = 0; s < Math.min(ours.length, theirs.length); s++) {
    if (ours[s] < theirs[s]) wins++;
    else if (ours[s] > theirs[s]) losses++;
  }
  return { wins, losses, p: binomialUpperTail(wins, wins + losses) };
}

/** P(X >= k) for X ~ Binomial(n, 1/2). */
function binomialUpperTail(k: number, n: number): number {
  let term = 0.5 ** n; // C(n, 0) / 2^n
  let tail = k <= 0 ? term : 0;
  for (let i = 1; i <= n; i++) {
    term = (term * (n - i + 1)) / i;
    if (i >= k) tail += term;
  }
  return Math.min(1, tail);
}
