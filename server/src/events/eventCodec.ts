import type { TrialRecord } from "../studies/records";
import type { DomainEvent, MetricsReportedEvent, TrialControlAction } from "./events";

/**
 * PostgreSQL refuses NOTIFY payloads of 8,000 bytes or more; this leaves room for the channel
 * name and the array brackets.
 */
export const MAX_NOTIFY_BYTES = 7_900;

/** Longest control reason carried; longer ones are cut (the full text is in the trial row). */
const MAX_REASON_CHARS = 500;

/** An event too large for one NOTIFY: each receiving process reads it back from the database once. */
export type EventReference =
  | { kind: "trial"; trialId: string }
  | { kind: "metrics"; studyId: string; trialId: string; reportedUs: string };

/** A decoded frame: the event itself, or a reference to resolve. */
export type DecodedFrame = { event: DomainEvent } | { reference: EventReference };

/**
 * One event as a compact JSON array (a "frame"): positional fields, no key names, so a batch of
 * ten points costs about 150 bytes. Events whose frame exceeds the limit become references.
 */
export function encodeFrame(event: DomainEvent): string {
  let frame: string;
  switch (event.type) {
    case "trialChanged": {
      const t = event.trial;
      frame = JSON.stringify([
        "T", t.id, t.studyId, t.number, t.state, t.params, t.distributions, t.values, t.userAttrs, t.pruneReason,
        t.owner, ms(t.createdAt), ms(t.startedAt), ms(t.completedAt), ms(t.heartbeatAt),
        t.searchId, t.failReason, t.retryOf,
      ]);
      if (Buffer.byteLength(frame) > MAX_NOTIFY_BYTES) frame = JSON.stringify(["t", t.id]);
      return frame;
    }
    case "metricsReported":
      frame = JSON.stringify(["M", event.studyId, event.trialId, event.reportedUs, event.series.map((s) => [s.name, s.steps, s.values])]);
      if (Buffer.byteLength(frame) > MAX_NOTIFY_BYTES) frame = JSON.stringify(["m", event.studyId, event.trialId, event.reportedUs]);
      return frame;
    case "trialControl":
      return JSON.stringify(["C", event.studyId, event.trialId, event.action, event.reason?.slice(0, MAX_REASON_CHARS) ?? null]);
  }
}

/** Packs frames into as few payloads as fit under the limit, in order. */
export function packFrames(frames: string[]): string[] {
  const payloads: string[] = [];
  let current: string[] = [];
  let bytes = 2;
  for (const frame of frames) {
    const size = Buffer.byteLength(frame) + 1;
    if (current.length && bytes + size > MAX_NOTIFY_BYTES) {
      payloads.push(`[${current.join(",")}]`);
      current = [];
      bytes = 2;
    }
    current.push(frame);
    bytes += size;
  }
  if (current.length) payloads.push(`[${current.join(",")}]`);
  return payloads;
}

/** The frames of one NOTIFY payload. Unknown frame kinds (from a newer server) are skipped. */
export function decodePayload(payload: string): DecodedFrame[] {
  const out: DecodedFrame[] = [];
  for (const f of JSON.parse(payload) as unknown[][]) {
    switch (f[0]) {
      case "T":
        out.push({ event: { type: "trialChanged", trial: trialFromFrame(f) } });
        break;
      case "t":
        out.push({ reference: { kind: "trial", trialId: f[1] as string } });
        break;
      case "M":
        out.push({
          event: {
            type: "metricsReported",
            studyId: f[1] as string,
            trialId: f[2] as string,
            reportedUs: f[3] as string,
            series: (f[4] as [string, number[], number[]][]).map(([name, steps, values]) => ({ name, steps, values })),
          } satisfies MetricsReportedEvent,
        });
        break;
      case "m":
        out.push({ reference: { kind: "metrics", studyId: f[1] as string, trialId: f[2] as string, reportedUs: f[3] as string } });
        break;
      case "C":
        out.push({
          event: { type: "trialControl", studyId: f[1] as string, trialId: f[2] as string, action: f[3] as TrialControlAction, reason: f[4] as string | null },
        });
        break;
    }
  }
  return out;
}

function trialFromFrame(f: unknown[]): TrialRecord {
  return {
    id: f[1] as string,
    studyId: f[2] as string,
    number: f[3] as number,
    state: f[4] as TrialRecord["state"],
    params: f[5] as TrialRecord["params"],
    distributions: f[6] as TrialRecord["distributions"],
    values: f[7] as number[] | null,
    userAttrs: f[8] as TrialRecord["userAttrs"],
    pruneReason: f[9] as string | null,
    owner: f[10] as string | null,
    createdAt: date(f[11]) ?? new Date(0),
    startedAt: date(f[12]),
    completedAt: date(f[13]),
    heartbeatAt: date(f[14]),
    searchId: (f[15] as string | null | undefined) ?? null,
    failReason: (f[16] as string | null | undefined) ?? null,
    retryOf: (f[17] as string | null | undefined) ?? null,
  };
}

function ms(d: Date | null): number | null {
  return d ? d.getTime() : null;
}

function date(x: unknown): Date | null {
  return typeof x === "number" ? new Date(x) : null;
}
