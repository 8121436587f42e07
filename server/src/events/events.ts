import type { TrialState } from "../optimization";
import type { TrialRecord } from "../studies/records";

/**
 * What the services publish after a commit. Events are facts about stored data, so a subscriber
 * that missed some can always read the same facts back from the database.
 */
export type DomainEvent = TrialChangedEvent | MetricsReportedEvent | TrialControlEvent;

/** A trial was created or changed state: enqueued, asked, told, pruned. */
export interface TrialChangedEvent {
  type: "trialChanged";
  trial: TrialRecord;
}

/** The points of one metric series that one report stored. */
export interface ReportedSeries {
  name: string;
  steps: number[];
  values: number[];
}

/** The points a reportMetrics call stored: only new ones, so a retried report publishes nothing. */
export interface MetricsReportedEvent {
  type: "metricsReported";
  studyId: string;
  trialId: string;
  /** The stored time of these points in microseconds since 1970, exactly, as a decimal string. */
  reportedUs: string;
  series: ReportedSeries[];
}

/**
 * What the executor running a trial must do. PRUNE: stop, the trial is or should be PRUNED.
 * STOP: the trial finished elsewhere (told COMPLETE or FAIL), stop without telling it. CANCEL: its
 * search was cancelled.
 */
export type TrialControlAction = "PRUNE" | "STOP" | "CANCEL";

/**
 * An instruction to a trial's executor that no state change carries: the pruner said prune while
 * the trial still runs, or (the extension point for searches) its search was cancelled; a search
 * service publishes one CANCEL per running trial of the search it cancels.
 */
export interface TrialControlEvent {
  type: "trialControl";
  studyId: string;
  trialId: string;
  action: TrialControlAction;
  reason: string | null;
}

/**
 * Not a domain event: the bus may have lost events (its connection to PostgreSQL dropped and came
 * back). Streams pass the notice on to their clients.
 */
export interface EventGapSignal {
  type: "gap";
}

export type BusMessage = DomainEvent | EventGapSignal;

export const FINISHED_STATES: readonly TrialState[] = ["COMPLETE", "PRUNED", "FAIL"];

/** Microseconds since 1970 (decimal string) to a Date, which keeps milliseconds. */
export function dateFromMicros(us: string): Date {
  return new Date(Number(BigInt(us) / 1000n));
}
