import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from "type-graphql";
import { ImportanceService } from "../../studies/importanceService";
import type { StudyRecord } from "../../studies/records";
import type { Context } from "../context";
import { TrialState } from "../types/enums";
import { ImportanceMethod, ParamImportance } from "../types/importance";
import { Study } from "../types/study";

@Resolver(() => Study)
export class StudyImportanceResolver {
  @FieldResolver(() => [ParamImportance], {
    description:
      "Hyperparameter importances, computed from the trials in `states` that have a value for `objective` (an index into directions), most important first. Every parameter of the study is listed (declared ones, then define-by-run ones); a conditional parameter is rated on the trials that have it (PED_ANOVA) or with its absence as one more value (FANOVA). Empty below 2 such trials.",
  })
  paramImportances(
    @Root() study: StudyRecord,
    @Ctx() ctx: Context,
    @Arg("method", () => ImportanceMethod, { nullable: true, defaultValue: ImportanceMethod.PED_ANOVA }) method: ImportanceMethod | null,
    @Arg("objective", () => Int, { nullable: true, defaultValue: 0 }) objective: number | null,
    @Arg("states", () => [TrialState], { nullable: true, defaultValue: [TrialState.COMPLETE] }) states: TrialState[] | null,
  ): Promise<ParamImportance[]> {
    // The service holds no state: one per request keeps every answer fresh.
    return new ImportanceService(ctx.services.db).paramImportances(study, {
      method: method ?? ImportanceMethod.PED_ANOVA,
      objective: objective ?? 0,
      states: states ?? [TrialState.COMPLETE],
    });
  }
}
