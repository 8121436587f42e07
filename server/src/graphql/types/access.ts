import { Field, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { DateTimeScalar } from "../scalars";

export enum ProjectRole {
  VIEWER = "VIEWER",
  EXECUTOR = "EXECUTOR",
  MEMBER = "MEMBER",
  ADMIN = "ADMIN",
}
registerEnumType(ProjectRole, {
  name: "ProjectRole",
  description: "Weakest first; each role may do what the ones before it may.",
  valuesConfig: {
    VIEWER: { description: "Reads studies, trials, searches and streams." },
    EXECUTOR: { description: "Also registers executors, claims trials of searches, reports and tells them." },
    MEMBER: { description: "Also creates studies, asks and tells trials, starts and cancels searches." },
    ADMIN: { description: "Also deletes studies and manages members and keys." },
  },
});

@ObjectType({ description: "A namespace for studies, with members." })
export class Project {
  @Field(() => ID)
  id: string;

  @Field(() => String)
  name: string;

  @Field(() => DateTimeScalar)
  createdAt: Date;
}

@ObjectType()
export class User {
  @Field(() => ID)
  id: string;

  @Field(() => String)
  name: string;

  @Field(() => Boolean, { description: "Admin of every project; may create projects." })
  serverAdmin: boolean;
}

@ObjectType()
export class ProjectMembership {
  @Field(() => Project)
  project: Project;

  @Field(() => User)
  user: User;

  @Field(() => ProjectRole)
  role: ProjectRole;
}

@ObjectType({ description: "An API key as lists show it: never its secret, which is shown once, by createApiKey." })
export class ApiKey {
  @Field(() => ID)
  id: string;

  @Field(() => String)
  name: string;

  @Field(() => String)
  userName: string;

  @Field(() => ID, { nullable: true, description: "The one project the key works in; null: every project of its user." })
  projectId: string | null;

  @Field(() => ProjectRole, { nullable: true, description: "The strongest role the key acts with; null: its user's roles." })
  maxRole: ProjectRole | null;

  @Field(() => DateTimeScalar)
  createdAt: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  expiresAt: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: "Updated at most once a minute." })
  lastUsedAt: Date | null;

  @Field(() => DateTimeScalar, { nullable: true })
  revokedAt: Date | null;
}

@ObjectType()
export class CreatedApiKey {
  @Field(() => String, { description: "The key to send as `authorization: Bearer <key>`. Shown this once: store it now." })
  key: string;

  @Field(() => ApiKey)
  apiKey: ApiKey;
}

@ObjectType({ description: "One project the caller may use, with the role it acts with there." })
export class ProjectAccess {
  @Field(() => Project)
  project: Project;

  @Field(() => ProjectRole)
  role: ProjectRole;
}

@ObjectType({ description: "Who the caller is." })
export class Viewer {
  @Field(() => Boolean, { description: "Whether this server needs API keys now." })
  authEnabled: boolean;

  @Field(() => User, { nullable: true, description: "Null for a caller without a key on a server whose auth is off." })
  user: User | null;

  @Field(() => ApiKey, { nullable: true })
  apiKey: ApiKey | null;

  @Field(() => [ProjectAccess])
  projects: ProjectAccess[];
}

@InputType()
export class CreateApiKeyInput {
  @Field(() => String, { description: "What the key is for, e.g. gpu-box-3 or ci." })
  name: string;

  @Field(() => String, {
    nullable: true,
    description: "Another user's name (a machine user, say); default yourself. Needs a server admin, or projectId naming a project you administer.",
  })
  user?: string | null;

  @Field(() => ID, { nullable: true, description: "Limit the key to this project." })
  projectId?: string | null;

  @Field(() => ProjectRole, { nullable: true, description: "Limit the key to this role, e.g. EXECUTOR for a GPU worker." })
  role?: ProjectRole | null;

  @Field(() => Int, { nullable: true, description: "The key stops working after this many days; default never." })
  expiresInDays?: number | null;
}
