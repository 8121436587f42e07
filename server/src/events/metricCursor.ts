import { BadUserInputError } from "../errors";

/**
 * A position in the order in which metricsReported replays stored points: report time (in
 * microseconds, exactly as stored), then trial, series name and step. Clients see it as an opaque
 * string on every MetricBatch and pass it back to resume after that batch.
 */
export interface MetricCursor {
  reportedUs: string;
  trialId: string;
  name: string;
  step: number;
}

export function encodeMetricCursor(c: MetricCursor): string {
  return Buffer.from(JSON.stringify([c.reportedUs, c.trialId, c.name, c.step])).toString("base64url");
}

export function decodeMetricCursor(text: string, field = "after"): MetricCursor {
  try {
    const [reportedUs, trialId, name, step] = JSON.parse(Buffer.from(text, "base64url").toString());
    if (/^\d{1,18}$/.test(reportedUs) && /^\d{1,18}$/.test(trialId) && typeof name === "string" && Number.isInteger(step)) {
      return { reportedUs, trialId, name, step };
    }
  } catch {
    // falls through to the error below
  }
  throw new BadUserInputError(`${field} is not a cursor this server made; pass the cursor of a MetricBatch you received.`, field);
}

/** Orders positions as the replay query does: time, trial, name (code points), step. */
export function compareCursors(a: MetricCursor, b: MetricCursor): number {
  const us = BigInt(a.reportedUs) - BigInt(b.reportedUs);
  if (us !== 0n) return us < 0n ? -1 : 1;
  const trial = BigInt(a.trialId) - BigInt(b.trialId);
  if (trial !== 0n) return trial < 0n ? -1 : 1;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return a.step - b.step;
}
