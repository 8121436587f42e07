import { Arg, Ctx, FieldResolver, Float, ID, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import { BadUserInputError } from "../../errors";
import type { JsonValue, TrialState as EngineTrialState } from "../../optimization";
import type { PruneDecision as EnginePruneDecision } from "../../optimization";
import type { SeriesRecord, StoredPoint } from "../../studies/metricService";
import type { StudyRecord, TrialRecord } from "../../studies/records";
import type { Context } from "../context";
import { MetricPointInput } from "../inputs/metricInputs";
import { ParamSpecInput } from "../inputs/studyInputs";
import { JSONScalar } from "../scalars";
import { TrialState } from "../types/enums";
import { MetricPoint, MetricSeries, PruneDecision } from "../types/metrics";
import { Study } from "../types/study";
import { Trial } from "../types/trial";

@Resolver(() => Trial)
export class TrialResolver {
  @Query(() => Trial, { nullable: true })
  trial(@Ctx() ctx: Context, @Arg("id", () => ID) id: string): Promise<TrialRecord | null> {
    return ctx.loaders.trial.load(id);
  }

  @Mutation(() => Trial, {
    description: "Start a trial: takes a WAITING (enqueued) trial first, else samples the declared space.",
  })
  askTrial(
    @Ctx() ctx: Context,
    @Arg("studyId", () => ID) studyId: string,
    @Arg("askKey", () => String, {
      nullable: true,
      description: "A key unique to this ask (e.g. a random UUID): a retried ask with the same key gets the same trial.",
    })
    askKey?: string | null,
  ): Promise<TrialRecord> {
    return ctx.services.trials.ask(studyId, null, askKey ?? null);
  }

  @Mutation(() => JSONScalar, {
    description: "Define-by-run: sample one more parameter for a RUNNING trial (idempotent per name).",
  })
  suggestParam(
    @Ctx() ctx: Context,
    @Arg("trialId", () => ID) trialId: string,
    @Arg("spec", () => ParamSpecInput) spec: ParamSpecInput,
  ): Promise<JsonValue> {
    return ctx.services.trials.suggestParam(trialId, spec);
  }

  @Mutation(() => PruneDecision, {
    description: "Log metric points; the answer says whether the study's pruner stops this trial.",
  })
  reportMetrics(
    @Ctx() ctx: Context,
    @Arg("trialId", () => ID) trialId: string,
    @Arg("points", () => [MetricPointInput]) points: MetricPointInput[],
  ): Promise<EnginePruneDecision> {
    return ctx.services.metrics.report(trialId, points);
  }

  @Mutation(() => Trial, { description: "Finish a trial. COMPLETE needs one value per direction." })
  tellTrial(
    @Ctx() ctx: Context,
    @Arg("trialId", () => ID) trialId: string,
    @Arg("state", () => TrialState) state: TrialState,
    @Arg("values", () => [Float], { nullable: true }) values?: number[] | null,
    @Arg("reason", () => String, { nullable: true, description: "Why a FAIL trial failed (kept as failReason)." }) reason?: string | null,
  ): Promise<TrialRecord> {
    return ctx.services.trials.tell(trialId, state as EngineTrialState, values, reason);
  }

  @Mutation(() => Trial, { description: "Queue a trial with fixed parameters, to be taken by the next askTrial." })
  enqueueTrial(
    @Ctx() ctx: Context,
    @Arg("studyId", () => ID) studyId: string,
    @Arg("params", () => JSONScalar) params: JsonValue,
  ): Promise<TrialRecord> {
    return ctx.services.trials.enqueue(studyId, params);
  }

  @Mutation(() => Trial, {
    description: "An outside pruning decision, e.g. from a person watching the curves or a custom agent.",
  })
  pruneTrial(
    @Ctx() ctx: Context,
    @Arg("trialId", () => ID) trialId: string,
    @Arg("reason", () => String, { nullable: true }) reason?: string | null,
  ): Promise<TrialRecord> {
    return ctx.services.trials.prune(trialId, reason);
  }

  @Mutation(() => Trial, { description: "Merge attributes into a trial's userAttrs (null removes a key), in any state." })
  setTrialUserAttrs(
    @Ctx() ctx: Context,
    @Arg("trialId", () => ID) trialId: string,
    @Arg("attrs", () => JSONScalar) attrs: JsonValue,
  ): Promise<TrialRecord> {
    return ctx.services.trials.setUserAttrs(trialId, attrs);
  }

  @FieldResolver(() => [MetricPoint], { description: "The objective metric's reports, by step: what pruners decide on." })
  intermediateValues(@Root() trial: TrialRecord, @Ctx() ctx: Context): Promise<StoredPoint[]> {
    return ctx.loaders.intermediateValues.load(trial.id);
  }

  @FieldResolver(() => [MetricSeries], { description: "Every logged series; maxPoints downsamples long series for charts." })
  metrics(
    @Root() trial: TrialRecord,
    @Ctx() ctx: Context,
    @Arg("names", () => [String], { nullable: true }) names?: string[] | null,
    @Arg("maxPoints", () => Int, { nullable: true }) maxPoints?: number | null,
  ): Promise<SeriesRecord[]> {
    if (maxPoints != null && maxPoints < 2) throw new BadUserInputError("maxPoints must be at least 2.", "maxPoints");
    const sortedNames = names ? [...new Set(names)].sort() : null;
    return ctx.loaders.metrics(sortedNames, maxPoints ?? null).load(trial.id);
  }

  @FieldResolver(() => Study)
  async study(@Root() trial: TrialRecord, @Ctx() ctx: Context): Promise<StudyRecord> {
    const study = await ctx.loaders.study.load(trial.studyId);
    if (!study) throw new Error(`study ${trial.studyId} of trial ${trial.id} vanished`);
    return study;
  }
}
