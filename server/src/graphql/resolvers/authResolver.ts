import { Arg, Ctx, ID, Mutation, Query, Resolver } from "type-graphql";
import type { ApiKeyRecord, MembershipRecord, ProjectRecord } from "../../auth/accessRecords";
import type { Context } from "../context";
import { ApiKey, CreateApiKeyInput, CreatedApiKey, Project, ProjectMembership, ProjectRole, Viewer } from "../types/access";

/** Projects, members and API keys. Who may call what is in auth/fieldPolicies.ts, like every root field. */
@Resolver()
export class AuthResolver {
  @Query(() => Viewer, { description: "Who the caller is: user, key, and the projects it may use with its role in each." })
  async viewer(@Ctx() ctx: Context): Promise<Viewer> {
    const { principal } = ctx.auth;
    const { access, auth } = ctx.services;
    const visible = principal.projectsWith("VIEWER");
    const projects = visible !== null && visible.length === 0 ? [] : await access.projects(visible);
    return {
      authEnabled: await auth.enforced(),
      user: principal.user,
      apiKey: principal.key ? ((await access.key(principal.key.id)) as ApiKey) : null,
      projects: projects.map((project) => ({ project, role: principal.roleIn(project.id) as ProjectRole })),
    };
  }

  @Query(() => [ApiKey], { description: "Your keys; with projectId, also the keys limited to that project (for its admins)." })
  async apiKeys(
    @Ctx() ctx: Context,
    @Arg("projectId", () => ID, { nullable: true }) projectId?: string | null,
    @Arg("includeRevoked", () => Boolean, { defaultValue: false }) includeRevoked?: boolean,
  ): Promise<ApiKeyRecord[]> {
    return ctx.services.access.listKeys(ctx.auth.principal, projectId ?? null, includeRevoked ?? false);
  }

  @Query(() => [ProjectMembership], { description: "The members of a project and their roles (for its admins)." })
  projectMembers(@Ctx() ctx: Context, @Arg("projectId", () => ID) projectId: string): Promise<MembershipRecord[]> {
    return ctx.services.access.members(projectId);
  }

  @Mutation(() => Project, { description: "A new project (server administrators); add its members with addMember." })
  createProject(@Ctx() ctx: Context, @Arg("name", () => String) name: string): Promise<ProjectRecord> {
    return ctx.services.access.createProject(name);
  }

  @Mutation(() => ProjectMembership, { description: "Gives a user (created when new) a role in a project, or changes it." })
  addMember(
    @Ctx() ctx: Context,
    @Arg("projectId", () => ID) projectId: string,
    @Arg("user", () => String) user: string,
    @Arg("role", () => ProjectRole) role: ProjectRole,
  ): Promise<MembershipRecord> {
    return ctx.services.access.addMember(projectId, user, role);
  }

  @Mutation(() => Boolean, { description: "Takes a user's role in a project away; false when it had none." })
  removeMember(@Ctx() ctx: Context, @Arg("projectId", () => ID) projectId: string, @Arg("user", () => String) user: string): Promise<boolean> {
    return ctx.services.access.removeMember(projectId, user);
  }

  @Mutation(() => CreatedApiKey, { description: "A new API key. Its secret is in `key`, shown this once; only a slow hash of it is stored." })
  createApiKey(@Ctx() ctx: Context, @Arg("input", () => CreateApiKeyInput) input: CreateApiKeyInput): Promise<{ key: string; apiKey: ApiKeyRecord }> {
    return ctx.services.access.createKey(ctx.auth.principal, input).then(({ key, record }) => ({ key, apiKey: record }));
  }

  @Mutation(() => ApiKey, { description: "Stops a key at once on this server, within seconds on the others; its open subscriptions end." })
  revokeApiKey(@Ctx() ctx: Context, @Arg("id", () => ID) id: string): Promise<ApiKeyRecord> {
    return ctx.services.access.revokeKey(ctx.auth.principal, id);
  }
}
