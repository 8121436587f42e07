import { Field, Float, InputType, Int } from "type-graphql";

@InputType()
export class MetricPointInput {
  @Field(() => String, { nullable: true, description: "Defaults to the study's objective metric, the one pruners read." })
  name?: string | null;

  @Field(() => Int)
  step: number;

  @Field(() => Float)
  value: number;
}
