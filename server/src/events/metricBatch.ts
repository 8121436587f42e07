import { dateFromMicros, type MetricsReportedEvent } from "./events";
import { encodeMetricCursor, type MetricCursor } from "./metricCursor";
import type { ReplayRow } from "./streamQueries";

/** What metricsReported sends: the points of one series from one report. */
export interface MetricBatchPayload {
  trialId: string;
  studyId: string;
  name: string;
  points: { step: number; value: number; time: Date }[];
  /** Resume position just after this batch. */
  cursor: string;
  /** Read back from the database (a resume, or catching up after falling behind), not live. */
  replayed: boolean;
  /** Report time in microseconds, for the stream's own bookkeeping. */
  reportedUs: string;
}

const batchesByEvent = new WeakMap<MetricsReportedEvent, MetricBatchPayload[]>();

/**
 * The batches of one event, made once per process and shared by every stream that receives it
 * (streams copy a batch only to attach a notice or drop points).
 */
export function batchesOf(event: MetricsReportedEvent): MetricBatchPayload[] {
  let batches = batchesByEvent.get(event);
  if (batches) return batches;
  const time = dateFromMicros(event.reportedUs);
  // In replay order: series by name (code points), points by step.
  const series = [...event.series].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  batches = series.map((s) => {
    const points = s.steps.map((step, i) => ({ step, value: s.values[i], time })).sort((a, b) => a.step - b.step);
    return {
      trialId: event.trialId,
      studyId: event.studyId,
      name: s.name,
      points,
      cursor: encodeMetricCursor({ reportedUs: event.reportedUs, trialId: event.trialId, name: s.name, step: points.at(-1)?.step ?? 0 }),
      replayed: false,
      reportedUs: event.reportedUs,
    };
  });
  batchesByEvent.set(event, batches);
  return batches;
}

/** Groups replayed rows (already in replay order) into batches: one per report and series. */
export function batchesOfRows(rows: ReplayRow[]): MetricBatchPayload[] {
  const out: MetricBatchPayload[] = [];
  let current: MetricBatchPayload | null = null;
  let last: ReplayRow | null = null;
  const close = () => {
    if (current && last) current.cursor = encodeMetricCursor({ reportedUs: last.reportedUs, trialId: last.trialId, name: last.name, step: last.step });
  };
  for (const r of rows) {
    if (!current || current.reportedUs !== r.reportedUs || current.trialId !== r.trialId || current.name !== r.name) {
      close();
      current = {
        trialId: r.trialId,
        studyId: r.studyId,
        name: r.name,
        points: [],
        cursor: "",
        replayed: true,
        reportedUs: r.reportedUs,
      };
      out.push(current);
    }
    current.points.push({ step: r.step, value: r.value, time: dateFromMicros(r.reportedUs) });
    last = r;
  }
  close();
  return out;
}

/** The position just after a batch. */
export function cursorAfter(batch: MetricBatchPayload): MetricCursor {
  return { reportedUs: batch.reportedUs, trialId: batch.trialId, name: batch.name, step: batch.points.at(-1)?.step ?? -1 };
}

export function pointKey(trialId: string, name: string, step: number): string {
  return `${trialId}\u0000${name}\u0000${step}`;
}
