import type { GraphtuneClient } from "./client";
import { ConflictError, TrialPruned } from "./errors";
import {
  GetTrialDocument,
  ReportMetricsDocument,
  SuggestParamDocument,
  type ParamSpecInput,
  type TrialState,
} from "./generated/graphql";
import type { JsonValue } from "./json";
import { categoricalParam, floatParam, intParam, matchesDeclared, type DeclaredParam, type FloatParamOptions, type IntParamOptions } from "./params";

/** The pruner's answer to a report. */
export interface PruneDecision {
  shouldPrune: boolean;
  reason: string | null;
}

/** What a Trial needs from its study. */
export interface TrialContext {
  client: GraphtuneClient;
  /** The study's declared parameters by name. */
  declared: ReadonlyMap<string, DeclaredParam>;
}

/**
 * A RUNNING trial, as an objective function sees it (Optuna's `Trial`).
 *
 * Parameters of the study's declared search space arrive with askTrial, so suggest* of a declared
 * name with the declared range answers from memory: one round trip per trial. Other names are
 * define-by-run and cost one suggestParam call each (the server remembers them per trial, so
 * asking again for the same name returns the same value).
 */
export class Trial {
  /** Parameter name to value: what askTrial sampled, plus define-by-run suggestions so far. */
  readonly params: Record<string, JsonValue>;
  private readonly suggested = new Map<string, string>();
  private lastDecision: PruneDecision = { shouldPrune: false, reason: null };

  constructor(
    private readonly context: TrialContext,
    /** The trial's id, for the API. */
    readonly id: string,
    /** 0, 1, 2, ... within the study. */
    readonly number: number,
    params: JsonValue,
    /** The state when this object was made (RUNNING for asked trials). */
    readonly state: TrialState = "RUNNING",
  ) {
    this.params = params && typeof params === "object" && !Array.isArray(params) ? { ...params } : {};
  }

  /** A float in [low, high], log-scaled or on a step grid when asked. */
  async suggestFloat(name: string, low: number, high: number, options: FloatParamOptions = {}): Promise<number> {
    return (await this.suggest(floatParam(name, low, high, options))) as number;
  }

  /** An integer in [low, high] (high cut to the step grid), log-scaled when asked. */
  async suggestInt(name: string, low: number, high: number, options: IntParamOptions = {}): Promise<number> {
    return (await this.suggest(intParam(name, low, high, options))) as number;
  }

  /** One of `choices` (any JSON values). */
  async suggestCategorical<T extends JsonValue>(name: string, choices: readonly T[]): Promise<T> {
    return (await this.suggest(categoricalParam(name, choices))) as T;
  }

  /**
   * Any parameter spec. A declared parameter that askTrial sampled, asked with its declared
   * distribution, needs no request; so does a name already suggested in this trial with the same
   * spec. Anything else is one suggestParam call, whose errors (a different range under a name
   * already used) are the server's.
   */
  async suggest(spec: ParamSpecInput): Promise<JsonValue> {
    const key = JSON.stringify(spec);
    if (this.suggested.get(spec.name) === key) return this.params[spec.name];
    const declared = this.context.declared.get(spec.name);
    if (declared && spec.name in this.params && matchesDeclared(declared, spec)) {
      this.suggested.set(spec.name, key);
      return this.params[spec.name];
    }
    const { suggestParam } = await this.context.client.request(SuggestParamDocument, { trialId: this.id, spec }, { idempotent: true });
    this.params[spec.name] = suggestParam;
    this.suggested.set(spec.name, key);
    return suggestParam;
  }

  /**
   * Reports the objective's intermediate value at `step` (an epoch, say). Throws TrialPruned when
   * the study's pruner stops the trial, or when it was pruned from outside (pruneTrial). Retried
   * after network faults: the server keeps the first value per step, so retries never duplicate
   * points.
   */
  async report(value: number, step: number): Promise<void> {
    const decision = await this.reportPoints([{ step, value }]);
    if (decision.shouldPrune) throw new TrialPruned(decision.reason);
  }

  /**
   * Logs several named metrics at one step, e.g. `{ loss: 0.3, accuracy: 0.9 }` (a name equal to
   * the study's objective metric feeds the pruner). Answers the pruner's decision without
   * throwing; `report` is the call that throws TrialPruned.
   */
  async log(metrics: Record<string, number>, step: number): Promise<PruneDecision> {
    return this.reportPoints(Object.entries(metrics).map(([name, value]) => ({ name, step, value })));
  }

  /** The pruner's decision after the last report or log (Optuna's `should_prune`). */
  shouldPrune(): boolean {
    return this.lastDecision.shouldPrune;
  }

  /** Why the trial should be pruned, after a report said so. */
  get pruneReason(): string | null {
    return this.lastDecision.reason;
  }

  private async reportPoints(points: { name?: string; step: number; value: number }[]): Promise<PruneDecision> {
    try {
      const { reportMetrics } = await this.context.client.request(ReportMetricsDocument, { trialId: this.id, points }, { idempotent: true });
      this.lastDecision = reportMetrics;
      return reportMetrics;
    } catch (error) {
      // Pruned from outside (a person, an agent): the server refuses reports to a finished trial.
      if (error instanceof ConflictError) {
        const current = (await this.context.client.request(GetTrialDocument, { id: this.id })).trial;
        if (current?.state === "PRUNED") {
          this.lastDecision = { shouldPrune: true, reason: current.pruneReason };
          throw new TrialPruned(current.pruneReason);
        }
      }
      throw error;
    }
  }
}
