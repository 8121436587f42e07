import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import { BadUserInputError } from "../../errors";
import { paretoFront } from "../../optimization/pareto";
import type { StudyRecord, TrialRecord } from "../../studies/records";
import type { Context } from "../context";
import { DateTimeScalar } from "../scalars";
import { decodeCursor, encodeCursor, pageSize } from "../cursors";
import type { JsonValue } from "../../optimization";
import { CreateStudyInput } from "../inputs/studyInputs";
import { JSONScalar } from "../scalars";
import { ParamSpec, PrunerConfig, SamplerConfig } from "../types/config";
import { TrialState } from "../types/enums";
import { Study, StudyConnection } from "../types/study";
import { Trial, TrialConnection } from "../types/trial";

@Resolver(() => Study)
export class StudyResolver {
  @Query(() => StudyConnection)
  async studies(
    @Ctx() ctx: Context,
    @Arg("first", () => Int, { nullable: true }) first?: number | null,
    @Arg("after", () => String, { nullable: true }) after?: string | null,
    @Arg("nameContains", () => String, { nullable: true }) nameContains?: string | null,
  ): Promise<StudyConnection> {
    const visible = ctx.auth.principal.projectsWith("VIEWER");
    const page = await ctx.services.studies.list(pageSize(first), decodeCursor("study", after), nameContains ?? null, visible);
    const edges = page.items.map((s) => ({ cursor: encodeCursor("study", s.id), node: s as unknown as Study }));
    return {
      edges,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
      totalCount: page.totalCount,
    };
  }

  @Query(() => Study, { nullable: true })
  async study(
    @Ctx() ctx: Context,
    @Arg("id", () => ID, { nullable: true }) id?: string | null,
    @Arg("name", () => String, { nullable: true }) name?: string | null,
    @Arg("project", () => String, { nullable: true, description: 'With name: the project (by name) to look in; default "default".' })
    project?: string | null,
  ): Promise<StudyRecord | null> {
    if ((id == null) === (name == null)) throw new BadUserInputError("pass exactly one of id or name.", "id");
    if (id != null) return ctx.loaders.study.load(id);
    return project == null ? ctx.services.studies.findByName(name!) : ctx.services.studies.findByNameInProject(name!, project);
  }

  @Mutation(() => Study)
  createStudy(@Ctx() ctx: Context, @Arg("input", () => CreateStudyInput) input: CreateStudyInput): Promise<StudyRecord> {
    return ctx.services.studies.create(input);
  }

  @Mutation(() => Boolean)
  async deleteStudy(@Ctx() ctx: Context, @Arg("id", () => ID) id: string): Promise<boolean> {
    await ctx.services.studies.delete(id);
    return true;
  }

  @Mutation(() => Study, { description: "Merge attributes into a study's userAttrs (null removes a key)." })
  setStudyUserAttrs(
    @Ctx() ctx: Context,
    @Arg("studyId", () => ID) studyId: string,
    @Arg("attrs", () => JSONScalar) attrs: JsonValue,
  ): Promise<StudyRecord> {
    return ctx.services.studies.setUserAttrs(studyId, attrs);
  }

  @FieldResolver(() => [ParamSpec])
  searchSpace(@Root() study: StudyRecord): ParamSpec[] {
    return study.searchSpace.map((p) => ({
      name: p.name,
      type: p.type as ParamSpec["type"],
      low: p.type === "CATEGORICAL" ? null : p.low,
      high: p.type === "CATEGORICAL" ? null : p.high,
      log: p.type === "CATEGORICAL" ? false : p.log,
      step: p.type === "CATEGORICAL" ? null : p.step,
      choices: p.type === "CATEGORICAL" ? p.choices : null,
      condition: p.condition ?? null,
    }));
  }

  @FieldResolver(() => DateTimeScalar, { description: "When a trial of the study last started or finished (its creation, before any)." })
  async lastActivityAt(@Root() study: StudyRecord, @Ctx() ctx: Context): Promise<Date> {
    return (await ctx.loaders.lastActivity.load(study.id)) ?? study.createdAt;
  }

  @FieldResolver(() => SamplerConfig)
  sampler(@Root() study: StudyRecord): SamplerConfig {
    return study.sampler;
  }

  @FieldResolver(() => PrunerConfig)
  pruner(@Root() study: StudyRecord): PrunerConfig {
    return study.pruner;
  }

  @FieldResolver(() => Int)
  async trialCount(
    @Root() study: StudyRecord,
    @Ctx() ctx: Context,
    @Arg("states", () => [TrialState], { nullable: true }) states?: TrialState[] | null,
  ): Promise<number> {
    const counts = await ctx.loaders.trialCounts.load(study.id);
    const wanted = states ?? (Object.keys(counts) as TrialState[]);
    return wanted.reduce((sum, s) => sum + (counts[s] ?? 0), 0);
  }

  @FieldResolver(() => Trial, { nullable: true, description: "The best finished trial of a single-objective study." })
  bestTrial(@Root() study: StudyRecord, @Ctx() ctx: Context): Promise<TrialRecord | null> {
    return ctx.loaders.bestTrial.load(study.id);
  }

  @FieldResolver(() => [Trial], {
    description: "The Pareto front of a multi-objective study (the best trial, as a list, for one objective).",
  })
  async bestTrials(@Root() study: StudyRecord, @Ctx() ctx: Context): Promise<TrialRecord[]> {
    if (study.directions.length === 1) {
      const best = await ctx.loaders.bestTrial.load(study.id);
      return best ? [best] : [];
    }
    const complete = await ctx.services.trialQueries.completeTrials(study.id);
    const front = paretoFront(
      complete.map((t) => t.values ?? []),
      study.directions,
    );
    return front.map((i) => complete[i]);
  }

  @FieldResolver(() => TrialConnection)
  async trials(
    @Root() study: StudyRecord,
    @Ctx() ctx: Context,
    @Arg("first", () => Int, { nullable: true }) first?: number | null,
    @Arg("after", () => String, { nullable: true }) after?: string | null,
    @Arg("states", () => [TrialState], { nullable: true }) states?: TrialState[] | null,
  ): Promise<TrialConnection> {
    const limit = pageSize(first);
    const afterNumber = decodeCursor("trial", after);
    const [rows, counts] = await Promise.all([
      ctx.loaders.trialPages(limit, states ?? null).load({ studyId: study.id, afterNumber: afterNumber === null ? null : Number(afterNumber) }),
      ctx.loaders.trialCounts.load(study.id),
    ]);
    const edges = rows.slice(0, limit).map((t) => ({ cursor: encodeCursor("trial", t.number), node: t as unknown as Trial }));
    const wanted = states ?? (Object.keys(counts) as TrialState[]);
    return {
      edges,
      pageInfo: { hasNextPage: rows.length > limit, endCursor: edges.at(-1)?.cursor ?? null },
      totalCount: wanted.reduce((sum, s) => sum + (counts[s] ?? 0), 0),
    };
  }
}
