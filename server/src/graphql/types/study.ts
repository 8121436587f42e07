import { Field, ID, Int, ObjectType } from "type-graphql";
import type { JsonValue } from "../../optimization";
import { DateTimeScalar, JSONScalar } from "../scalars";
import { StudyDirection } from "./enums";
import { PageInfo } from "./paging";

/** Field resolvers (trials, bestTrial, ...) live in StudyResolver. */
@ObjectType()
export class Study {
  @Field(() => ID)
  id: string;

  @Field(() => String)
  name: string;

  @Field(() => [StudyDirection])
  directions: StudyDirection[];

  @Field(() => JSONScalar)
  userAttrs: Record<string, JsonValue>;

  @Field(() => String, { description: "The metric that pruners read and that reports without a name go to." })
  objectiveMetric: string;

  @Field(() => [String], { description: "Labels for finding and comparing studies; set with setStudyTags or tagStudy." })
  tags: string[];

  @Field(() => String, { nullable: true, description: "Free text about the study; set with setStudyNote." })
  note: string | null;

  @Field(() => DateTimeScalar)
  createdAt: Date;
}

@ObjectType()
export class StudyEdge {
  @Field(() => String)
  cursor: string;

  @Field(() => Study)
  node: Study;
}

@ObjectType()
export class StudyConnection {
  @Field(() => [StudyEdge])
  edges: StudyEdge[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;

  @Field(() => Int)
  totalCount: number;
}
