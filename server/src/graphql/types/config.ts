import { Field, Float, Int, ObjectType } from "type-graphql";
import type { JsonValue } from "../../optimization";
import { JSONScalar } from "../scalars";
import { ParamType } from "./enums";

@ObjectType({ description: "One hyperparameter of a study's declared search space." })
export class ParamSpec {
  @Field(() => String)
  name: string;

  @Field(() => ParamType)
  type: ParamType;

  @Field(() => Float, { nullable: true })
  low: number | null;

  @Field(() => Float, { nullable: true })
  high: number | null;

  @Field(() => Boolean)
  log: boolean;

  @Field(() => Float, { nullable: true })
  step: number | null;

  @Field(() => [JSONScalar], { nullable: true })
  choices: JsonValue[] | null;

  @Field(() => ParamCondition, { nullable: true, description: "The parameter exists only when another parameter takes one of these values." })
  condition: ParamCondition | null;
}

@ObjectType()
export class ParamCondition {
  @Field(() => String)
  param: string;

  @Field(() => [JSONScalar])
  values: JsonValue[];
}

@ObjectType()
export class SamplerConfig {
  @Field(() => String)
  type: string;

  @Field(() => Int, { nullable: true })
  seed: number | null;

  @Field(() => JSONScalar, { nullable: true })
  options: JsonValue | null;
}

@ObjectType()
export class PrunerConfig {
  @Field(() => String)
  type: string;

  @Field(() => JSONScalar, { nullable: true })
  options: JsonValue | null;
}
