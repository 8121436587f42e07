import { Field, Float, ID, Int, ObjectType } from "type-graphql";
import type { JsonValue } from "../../optimization";
import { DateTimeScalar, JSONScalar } from "../scalars";
import { TrialState } from "./enums";
import { PageInfo } from "./paging";

/** Field resolvers (intermediateValues, metrics, study) live in TrialResolver. */
@ObjectType()
export class Trial {
  @Field(() => ID)
  id: string;

  @Field(() => Int)
  number: number;

  @Field(() => TrialState)
  state: TrialState;

  @Field(() => JSONScalar, { description: "Parameter name to value." })
  params: Record<string, JsonValue>;

  @Field(() => [Float], { nullable: true })
  values: number[] | null;

  @Field(() => JSONScalar)
  userAttrs: Record<string, JsonValue>;

  @Field(() => String, { nullable: true, description: "Why the pruner or a person pruned (or asked to prune) this trial." })
  pruneReason: string | null;

  @Field(() => String, { nullable: true, description: "Why a FAIL trial failed: a crash, a lost worker (lease expired), a cancelled search." })
  failReason: string | null;

  @Field(() => ID, { nullable: true, description: "The search that ran this trial, if any." })
  searchId: string | null;

  @Field(() => ID, { nullable: true, description: "The failed trial this one runs again with the same parameters." })
  retryOf: string | null;

  @Field(() => String, { nullable: true, description: "The executor (or client) that runs or ran the trial." })
  owner: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  heartbeatAt: Date | null;

  @Field(() => DateTimeScalar, { nullable: true })
  startedAt: Date | null;

  @Field(() => DateTimeScalar, { nullable: true })
  completedAt: Date | null;
}

@ObjectType()
export class TrialEdge {
  @Field(() => String)
  cursor: string;

  @Field(() => Trial)
  node: Trial;
}

@ObjectType()
export class TrialConnection {
  @Field(() => [TrialEdge])
  edges: TrialEdge[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;

  @Field(() => Int)
  totalCount: number;
}
