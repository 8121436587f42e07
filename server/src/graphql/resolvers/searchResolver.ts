import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import type { JsonValue } from "../../optimization";
import type { Claim as ClaimRecord, HeartbeatAnswer as HeartbeatRecord } from "../../studies/executorService";
import type { StudyRecord, TrialRecord } from "../../studies/records";
import type { ExecutorRecord, SearchRecord } from "../../studies/searchRecords";
import type { Context } from "../context";
import { FinishedTrialInput, RegisterExecutorInput, StartSearchInput } from "../inputs/searchInputs";
import { JSONScalar } from "../scalars";
import { Claim, Executor, HeartbeatAnswer, Search, SearchEvaluation } from "../types/search";
import { Study } from "../types/study";
import { Trial, TrialConnection } from "../types/trial";
import { TrialState } from "../types/enums";
import { decodeCursor, encodeCursor, pageSize } from "../cursors";

@Resolver(() => Search)
export class SearchResolver {
  @Query(() => Search, { nullable: true })
  search(@Ctx() ctx: Context, @Arg("id", () => ID) id: string): Promise<SearchRecord | null> {
    return ctx.services.searches.find(id);
  }

  @Mutation(() => Search, { description: "Start running trials of a study on executors; the search is QUEUED until one claims a trial." })
  startSearch(@Ctx() ctx: Context, @Arg("input", () => StartSearchInput) input: StartSearchInput): Promise<SearchRecord> {
    return ctx.services.searches.start(input);
  }

  @Mutation(() => Search, { description: "Stop a search: its running trials fail at once and their executors stop; no trial starts after." })
  cancelSearch(@Ctx() ctx: Context, @Arg("id", () => ID) id: string): Promise<SearchRecord> {
    return ctx.services.searches.cancel(id);
  }

  @FieldResolver(() => Study)
  async study(@Root() search: SearchRecord, @Ctx() ctx: Context): Promise<StudyRecord> {
    const study = await ctx.loaders.study.load(search.studyId);
    if (!study) throw new Error(`study ${search.studyId} of search ${search.id} vanished`);
    return study;
  }

  @FieldResolver(() => Int, { description: "Trials of this search that finished COMPLETE or PRUNED." })
  async completedTrials(@Root() search: SearchRecord, @Ctx() ctx: Context): Promise<number> {
    const counts = await ctx.loaders.searchCounts.load(search.id);
    return counts.complete + counts.pruned;
  }

  @FieldResolver(() => Int)
  async runningTrials(@Root() search: SearchRecord, @Ctx() ctx: Context): Promise<number> {
    return (await ctx.loaders.searchCounts.load(search.id)).running;
  }

  @FieldResolver(() => Int)
  async prunedTrials(@Root() search: SearchRecord, @Ctx() ctx: Context): Promise<number> {
    return (await ctx.loaders.searchCounts.load(search.id)).pruned;
  }

  @FieldResolver(() => Int, { description: "Trials that failed (crashed, lost their worker, or were cancelled)." })
  async failedTrials(@Root() search: SearchRecord, @Ctx() ctx: Context): Promise<number> {
    return (await ctx.loaders.searchCounts.load(search.id)).failed;
  }

  @FieldResolver(() => TrialConnection, { description: "The search's trials by number, retries included." })
  async trials(
    @Root() search: SearchRecord,
    @Ctx() ctx: Context,
    @Arg("first", () => Int, { nullable: true }) first?: number | null,
    @Arg("after", () => String, { nullable: true }) after?: string | null,
    @Arg("states", () => [TrialState], { nullable: true }) states?: TrialState[] | null,
  ): Promise<TrialConnection> {
    const limit = pageSize(first);
    const afterNumber = decodeCursor("trial", after);
    const [rows, counts] = await Promise.all([
      ctx.services.trialQueries.searchPage(search.id, afterNumber === null ? null : Number(afterNumber), states ?? null, limit),
      ctx.loaders.searchCounts.load(search.id),
    ]);
    const edges = rows.slice(0, limit).map((t) => ({ cursor: encodeCursor("trial", t.number), node: t as unknown as Trial }));
    const byState: Record<TrialState, number> = {
      WAITING: counts.waiting,
      RUNNING: counts.running,
      COMPLETE: counts.complete,
      PRUNED: counts.pruned,
      FAIL: counts.failed,
    };
    const wanted = states ?? (Object.keys(byState) as TrialState[]);
    return {
      edges,
      pageInfo: { hasNextPage: rows.length > limit, endCursor: edges.at(-1)?.cursor ?? null },
      totalCount: wanted.reduce((sum, s) => sum + byState[s], 0),
    };
  }

  @FieldResolver(() => Trial, { nullable: true, description: "The best COMPLETE trial of this search (single objective)." })
  async bestTrial(@Root() search: SearchRecord, @Ctx() ctx: Context): Promise<TrialRecord | null> {
    const id = await ctx.services.searches.bestTrialId(ctx.services.db, search);
    return id ? ctx.loaders.trial.load(id) : null;
  }

  @FieldResolver(() => SearchEvaluation, { description: "The best trial scored on held-out test data, once the budget is spent." })
  evaluation(@Root() search: SearchRecord): SearchEvaluation {
    return { state: search.evaluationState as SearchEvaluation["state"], metrics: search.evaluation };
  }

  @FieldResolver(() => Trial, { nullable: true, description: "The trial the evaluation scored." })
  evaluatedTrial(@Root() search: SearchRecord, @Ctx() ctx: Context): Promise<TrialRecord | null> | null {
    return search.evaluationTrialId ? ctx.loaders.trial.load(search.evaluationTrialId) : null;
  }
}

@Resolver(() => Study)
export class StudySearchesResolver {
  @FieldResolver(() => [Search], { description: "The study's searches, newest first." })
  searches(@Root() study: StudyRecord, @Ctx() ctx: Context): Promise<SearchRecord[]> {
    return ctx.services.searches.listByStudy(study.id);
  }
}

@Resolver(() => Executor)
export class ExecutorResolver {
  @Query(() => [Executor], { description: "Executors seen recently (two lease periods) and not stopped; all with includeGone." })
  executors(
    @Ctx() ctx: Context,
    @Arg("includeGone", () => Boolean, { defaultValue: false }) includeGone: boolean,
  ): Promise<ExecutorRecord[]> {
    return ctx.services.executors.list(includeGone, ctx.auth.principal.projectsWith("VIEWER"));
  }

  @Mutation(() => Executor, { description: "A worker announces itself; it claims work with the id it gets." })
  registerExecutor(@Ctx() ctx: Context, @Arg("input", () => RegisterExecutorInput) input: RegisterExecutorInput): Promise<ExecutorRecord> {
    return ctx.services.executors.register(input, ctx.auth.principal.projectsWith("EXECUTOR"));
  }

  @Mutation(() => Executor, { description: "A worker leaving: its running trials fail now (and are retried when allowed)." })
  unregisterExecutor(@Ctx() ctx: Context, @Arg("id", () => ID) id: string): Promise<ExecutorRecord> {
    return ctx.services.executors.unregister(id);
  }

  @Mutation(() => Claim, {
    nullable: true,
    description:
      "The executor's next piece of work, or null when there is none. `finished` tells the previous trial first, in the same " +
      "request (a trial already finished elsewhere, e.g. pruned or cancelled, is left as it is).",
  })
  async claimTrial(
    @Ctx() ctx: Context,
    @Arg("executorId", () => ID) executorId: string,
    @Arg("searchId", () => ID, { nullable: true }) searchId?: string | null,
    @Arg("finished", () => FinishedTrialInput, { nullable: true }) finished?: FinishedTrialInput | null,
  ): Promise<(ClaimRecord & { leaseSeconds: number; heartbeatSeconds: number }) | null> {
    const claim = await ctx.services.executors.claim(executorId, searchId, finished);
    const leaseSeconds = ctx.services.executors.leaseSeconds;
    return claim && { ...claim, leaseSeconds, heartbeatSeconds: Math.max(1, Math.floor(leaseSeconds / 4)) };
  }

  @Mutation(() => HeartbeatAnswer, { description: "Keeps the executor, and the trial or evaluation it runs, alive." })
  executorHeartbeat(
    @Ctx() ctx: Context,
    @Arg("executorId", () => ID) executorId: string,
    @Arg("trialId", () => ID, { nullable: true }) trialId?: string | null,
    @Arg("evaluationSearchId", () => ID, { nullable: true }) evaluationSearchId?: string | null,
  ): Promise<HeartbeatRecord> {
    return ctx.services.executors.heartbeat(executorId, trialId, evaluationSearchId);
  }

  @Mutation(() => Search, { description: "Stores the test evaluation of a search's best trial (metrics, or the error)." })
  finishEvaluation(
    @Ctx() ctx: Context,
    @Arg("executorId", () => ID) executorId: string,
    @Arg("searchId", () => ID) searchId: string,
    @Arg("metrics", () => JSONScalar, { nullable: true }) metrics?: JsonValue | null,
    @Arg("error", () => String, { nullable: true }) error?: string | null,
  ): Promise<SearchRecord> {
    return ctx.services.executors.finishEvaluation(executorId, searchId, metrics ?? {}, error);
  }

  @FieldResolver(() => Trial, { nullable: true, description: "The trial it runs now." })
  currentTrial(@Root() executor: ExecutorRecord, @Ctx() ctx: Context): Promise<TrialRecord | null> {
    return ctx.loaders.executorTrial.load(executor.id);
  }
}
