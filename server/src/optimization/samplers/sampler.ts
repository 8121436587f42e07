import type { JsonValue, ParamSpec, StudyView, TrialView } from "../types";

/** What a sampler is given for one ask. */
export interface SampleContext {
  study: StudyView;
  /** The number the new trial will get (0, 1, 2, ... per study). */
  trialNumber: number;
  /**
   * State this sampler saved on earlier asks (null at first). It lives in the database with the
   * study, so several server processes behave like one; asks of one study are serialised.
   */
  state: JsonValue | null;
}

export interface RelativeSample {
  /** A value for every declared parameter that is active for this trial. */
  params: Record<string, JsonValue>;
  /** New state to persist; omit to keep the old one. */
  state?: JsonValue;
}

/**
 * A sampler in the spirit of Optuna's: relative sampling of the declared space in one go, and
 * independent sampling of define-by-run parameters. Implementations are deterministic for a given
 * seed, history and trial number.
 */
export interface Sampler {
  /**
   * False when sampling ignores history (RANDOM, QMC), so the service can skip loading finished
   * trials on the hot path. Such a sampler that returns no new state must sample as a function of
   * the space, its settings and the trial number alone: asks may then sample before they hold
   * the study's lock (studies/askSpeculation.ts).
   */
  readonly needsHistory: boolean;
  sampleRelative(ctx: SampleContext): RelativeSample;
  sampleIndependent(ctx: SampleContext, trial: TrialView, spec: ParamSpec): JsonValue;
}

/** How a study configures its sampler (SamplerInput in the contract). */
export interface SamplerConfig {
  type: string;
  seed: number;
  options: Record<string, JsonValue>;
}
