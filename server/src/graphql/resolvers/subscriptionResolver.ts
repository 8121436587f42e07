import { Arg, Ctx, FieldResolver, ID, Int, Resolver, Root, Subscription, type SubscribeResolverData } from "type-graphql";
import type { MetricBatchPayload, StudyProgressPayload, TrialControlSignal as TrialControlPayload } from "../../events";
import type { TrialRecord } from "../../studies/records";
import type { Context } from "../context";
import { Loaders } from "../loaders";
import { MetricBatch } from "../types/metrics";
import { StudyProgress, TrialControlSignal } from "../types/streams";
import { Trial } from "../types/trial";

type Data = SubscribeResolverData<unknown, Record<string, any>, Context>;

/**
 * One context serves every event of a subscription; the per-request loaders would cache the first
 * event's rows, so each event gets fresh ones.
 */
function freshLoaders(ctx: Context): void {
  ctx.loaders = new Loaders(ctx.services);
}

@Resolver()
export class SubscriptionResolver {
  @Subscription(() => Trial, {
    description: "Every state change of the study's trials.",
    subscribe: ({ args, context }: Data) => context.services.streams.trialUpdated(args.studyId),
  })
  trialUpdated(@Root() trial: TrialRecord, @Ctx() ctx: Context, @Arg("studyId", () => ID) _studyId: string): TrialRecord {
    freshLoaders(ctx);
    return trial;
  }

  @Subscription(() => MetricBatch, {
    description:
      "Metric points as they are reported, for one study or one trial. With `after` (a MetricBatch cursor) or `afterStep`, " +
      "first replays what was stored after that position, then continues live without duplicates.",
    subscribe: ({ args, context }: Data) =>
      context.services.streams.metricsReported({
        studyId: args.studyId,
        trialId: args.trialId,
        after: args.after,
        afterStep: args.afterStep,
      }),
  })
  metricsReported(
    @Root() batch: MetricBatchPayload,
    @Arg("studyId", () => ID, { nullable: true }) _studyId?: string | null,
    @Arg("trialId", () => ID, { nullable: true }) _trialId?: string | null,
    @Arg("after", () => String, { nullable: true, description: "Resume after this MetricBatch.cursor: stored batches after it come first." })
    _after?: string | null,
    @Arg("afterStep", () => Int, { nullable: true, description: "Resume above this step: stored points with a higher step come first (-1: all)." })
    _afterStep?: number | null,
  ): MetricBatchPayload {
    return batch;
  }

  @Subscription(() => StudyProgress, {
    description: "A study's trial counts by state and best value: the current numbers at once, then each change.",
    subscribe: ({ args, context }: Data) => context.services.streams.studyProgress(args.studyId),
  })
  studyProgress(@Root() p: StudyProgressPayload, @Ctx() ctx: Context, @Arg("studyId", () => ID) _studyId: string): StudyProgress {
    freshLoaders(ctx);
    const c = p.counts;
    return {
      studyId: p.studyId,
      counts: { waiting: c.WAITING, running: c.RUNNING, complete: c.COMPLETE, pruned: c.PRUNED, fail: c.FAIL, total: p.total },
      bestValue: p.bestValue,
      bestTrial: p.bestTrial as unknown as Trial | null,
      time: p.time,
    };
  }

  @Subscription(() => TrialControlSignal, {
    description:
      "For the executor running a trial: PRUNE when it is pruned (by its pruner or pruneTrial), STOP when it is finished elsewhere, " +
      "CANCEL when its search is cancelled. Starts with the trial's current standing; completes after the trial's final signal.",
    subscribe: ({ args, context }: Data) => context.services.streams.trialControl(args.trialId),
  })
  trialControl(@Root() signal: TrialControlPayload, @Arg("trialId", () => ID) _trialId: string): TrialControlPayload {
    return signal;
  }
}

/** Fields that metricsReported adds to the contract's MetricBatch. */
@Resolver(() => MetricBatch)
export class MetricBatchResolver {
  @FieldResolver(() => String, {
    description: "Resume position just after this batch: pass it as metricsReported(after:) to continue without gaps or duplicates.",
  })
  cursor(@Root() batch: MetricBatchPayload): string {
    return batch.cursor;
  }

  @FieldResolver(() => Boolean, {
    description:
      "True when this batch was read back from the database rather than delivered live: a resume, or catching up after this " +
      "subscriber read too slowly (its buffer filled) or the server's event connection was interrupted.",
  })
  replayed(@Root() batch: MetricBatchPayload): boolean {
    return batch.replayed;
  }
}
