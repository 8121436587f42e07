import { Arg, Ctx, ID, Int, Query, Resolver } from "type-graphql";
import type { TrialState as EngineTrialState } from "../../optimization";
import type { Context } from "../context";
import { decodeCursor, encodeCursor } from "../cursors";
import { StudyFilter } from "../inputs/comparisonInputs";
import { ComparedTrial, CurveAxis, StudyComparison, TrialComparison } from "../types/comparison";
import { TrialState } from "../types/enums";
import type { Study } from "../types/study";
import type { Trial } from "../types/trial";

/** The projects whose studies the caller may compare; null: every project. */
function visibleProjects(ctx: Context): string[] | null {
  return ctx.auth.principal.projectsWith("VIEWER");
}

@Resolver()
export class ComparisonResolver {
  @Query(() => StudyComparison, {
    description:
      "Many studies side by side (one query for the page): counts, best values and best-so-far curves on one [0, 1] scale " +
      "(min-max over the compared studies' best-so-far values, 1 = best, whatever each study's direction).",
  })
  async compareStudies(
    @Ctx() ctx: Context,
    @Arg("filter", () => StudyFilter, { nullable: true }) filter?: StudyFilter | null,
    @Arg("first", () => Int, { defaultValue: 20, description: "Studies per page, at most 100." }) first?: number,
    @Arg("after", () => String, { nullable: true }) after?: string | null,
    @Arg("maxCurvePoints", () => Int, { defaultValue: 200, description: "Most points per curve (2 to 10,000)." }) maxCurvePoints?: number,
    @Arg("axis", () => CurveAxis, { defaultValue: CurveAxis.TRIAL_NUMBER }) axis?: CurveAxis,
  ): Promise<StudyComparison> {
    const result = await ctx.services.comparison.compareStudies({
      filter,
      first,
      afterId: decodeCursor("study", after),
      maxCurvePoints,
      axis,
      visibleProjectIds: visibleProjects(ctx),
    });
    const entries = result.entries.map((e) => ({
      ...e,
      cursor: encodeCursor("study", e.study.id),
      study: e.study as unknown as Study,
    }));
    return {
      entries,
      pageInfo: { hasNextPage: result.hasNextPage, endCursor: entries.at(-1)?.cursor ?? null },
      totalCount: result.totalCount,
      axis: result.axis as CurveAxis,
      scale: result.scale as StudyComparison["scale"],
    };
  }

  @Query(() => TrialComparison, {
    description: "Finished trials of several studies over the parameters they share (or those named), for parallel coordinates.",
  })
  async compareTrials(
    @Ctx() ctx: Context,
    @Arg("studyIds", () => [ID]) studyIds: string[],
    @Arg("params", () => [String], { nullable: true }) params?: string[] | null,
    @Arg("first", () => Int, { nullable: true, description: "Most trials per study, the first by number; default 1,000, at most 10,000." })
    first?: number | null,
    @Arg("states", () => [TrialState], { nullable: true, description: "Default [COMPLETE]; finished states only." })
    states?: TrialState[] | null,
  ): Promise<TrialComparison> {
    const result = await ctx.services.comparison.compareTrials({
      studyIds,
      params,
      first,
      states: states as EngineTrialState[] | null | undefined,
      visibleProjectIds: visibleProjects(ctx),
    });
    return {
      params: result.params,
      hasMore: result.hasMore,
      entries: result.trials.map(
        (t): ComparedTrial => ({
          studyId: t.studyId,
          trialId: t.trial.id,
          number: t.trial.number,
          state: t.trial.state as TrialState,
          values: t.trial.values,
          params: t.params,
          trial: t.trial as unknown as Trial,
        }),
      ),
    };
  }
}
