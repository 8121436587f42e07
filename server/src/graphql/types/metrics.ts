import { Field, Float, ID, Int, ObjectType } from "type-graphql";
import { DateTimeScalar } from "../scalars";

@ObjectType()
export class MetricPoint {
  @Field(() => Int)
  step: number;

  @Field(() => Float)
  value: number;

  @Field(() => DateTimeScalar, { nullable: true })
  time: Date | null;
}

@ObjectType()
export class MetricSeries {
  @Field(() => String)
  name: string;

  @Field(() => [MetricPoint])
  points: MetricPoint[];
}

@ObjectType()
export class PruneDecision {
  @Field(() => Boolean)
  shouldPrune: boolean;

  @Field(() => String, { nullable: true })
  reason: string | null;
}

/** A batch of reported points, as metricsReported streams them. */
@ObjectType()
export class MetricBatch {
  @Field(() => ID)
  trialId: string;

  @Field(() => ID)
  studyId: string;

  @Field(() => [MetricPoint])
  points: MetricPoint[];

  @Field(() => String)
  name: string;
}
