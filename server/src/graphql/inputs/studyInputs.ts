import { Field, Float, InputType, Int } from "type-graphql";
import type { JsonValue } from "../../optimization";
import { JSONScalar } from "../scalars";
import { ParamType, StudyDirection } from "../types/enums";

@InputType()
export class ParamConditionInput {
  @Field(() => String)
  param: string;

  @Field(() => [JSONScalar])
  values: JsonValue[];
}

@InputType({ description: "One hyperparameter of a study's declared search space." })
export class ParamSpecInput {
  @Field(() => String)
  name: string;

  @Field(() => ParamType)
  type: ParamType;

  @Field(() => Float, { nullable: true })
  low?: number | null;

  @Field(() => Float, { nullable: true })
  high?: number | null;

  @Field(() => Boolean, { nullable: true })
  log?: boolean | null;

  @Field(() => Float, { nullable: true })
  step?: number | null;

  @Field(() => [JSONScalar], { nullable: true })
  choices?: JsonValue[] | null;

  @Field(() => ParamConditionInput, {
    nullable: true,
    description: "The parameter exists only when another parameter takes one of these values.",
  })
  condition?: ParamConditionInput | null;
}

@InputType({
  description:
    "type: RANDOM, GRID, QMC, TPE, GP, CMAES, NSGA2 or AUTO (the default). options.multiFidelity: true trains the sampler on one rung of a SUCCESSIVE_HALVING or HYPERBAND pruner (BOHB); with GP, { model: \"joint\" } models every rung at once (MOBSTER).",
})
export class SamplerInput {
  @Field(() => String)
  type: string;

  @Field(() => Int, { nullable: true })
  seed?: number | null;

  @Field(() => JSONScalar, { nullable: true })
  options?: JsonValue | null;
}

@InputType({
  description:
    "type: NONE (the default), MEDIAN, PERCENTILE, THRESHOLD, PATIENT, SUCCESSIVE_HALVING, HYPERBAND, WILCOXON or PARETO_SUCCESSIVE_HALVING (multi-objective).",
})
export class PrunerInput {
  @Field(() => String)
  type: string;

  @Field(() => JSONScalar, { nullable: true })
  options?: JsonValue | null;
}

@InputType()
export class CreateStudyInput {
  @Field(() => String)
  name: string;

  @Field(() => [StudyDirection], {
    nullable: true,
    description: "Defaults to [MINIMIZE]. Several directions make a multi-objective study.",
  })
  directions?: StudyDirection[] | null;

  @Field(() => [ParamSpecInput], {
    nullable: true,
    description: "Declared parameters; askTrial samples all of them at once. May be omitted for define-by-run studies.",
  })
  searchSpace?: ParamSpecInput[] | null;

  @Field(() => SamplerInput, { nullable: true })
  sampler?: SamplerInput | null;

  @Field(() => PrunerInput, { nullable: true })
  pruner?: PrunerInput | null;

  @Field(() => Boolean, { nullable: true, description: "Return the existing study of that name instead of failing." })
  loadIfExists?: boolean | null;

  @Field(() => String, {
    nullable: true,
    description: 'The metric pruners read and reports without a name go to; defaults to "objective".',
  })
  objectiveMetric?: string | null;

  @Field(() => JSONScalar, { nullable: true, description: "Free-form attributes stored with the study." })
  userAttrs?: JsonValue | null;

  @Field(() => String, { nullable: true, description: 'The project (by name) the study belongs to; default "default".' })
  project?: string | null;
}
