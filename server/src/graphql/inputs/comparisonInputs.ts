import { Field, ID, InputType } from "type-graphql";
import { DateTimeScalar } from "../scalars";

@InputType({ description: "Which studies to compare; every condition given must hold." })
export class StudyFilter {
  @Field(() => [ID], { nullable: true, description: "Only these studies." })
  ids?: string[] | null;

  @Field(() => ID, { nullable: true, description: "The project, by id." })
  projectId?: string | null;

  @Field(() => String, { nullable: true, description: 'The project, by name ("default" on a server without projects).' })
  project?: string | null;

  @Field(() => [String], { nullable: true, description: "Studies carrying all of these tags." })
  tags?: string[] | null;

  @Field(() => String, { nullable: true, description: "A case-insensitive part of the study's name." })
  nameContains?: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: "Created at or after this time." })
  createdAfter?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: "Created before this time." })
  createdBefore?: Date | null;
}
