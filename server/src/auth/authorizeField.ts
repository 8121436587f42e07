import { ForbiddenError, UnauthenticatedError } from "../errors";
import { DEFAULT_PROJECT, REF_ARGUMENTS, type FieldPolicy } from "./fieldPolicies";
import { PrincipalKind, type Principal } from "./principal";
import { RefKind, type ProjectLookup, type RefOwner } from "./projectLookup";
import { atLeast } from "./roles";

const NO_KEY =
  "this server needs an API key: send the header `authorization: Bearer <key>` (or connectionParams { authorization } on WebSocket); " +
  "an admin makes keys with createApiKey, the operator with `graphtune create-admin-key`.";

/** Refuses a caller that is not signed in, with the reason a bad key was refused. */
export function requireAuthenticated(principal: Principal): void {
  if (principal.kind === PrincipalKind.Rejected) throw new UnauthenticatedError(principal.rejection!);
  if (!principal.authenticated) throw new UnauthenticatedError(NO_KEY);
}

/**
 * The one authorisation decision for a root field: resolves the projects its arguments name and
 * throws UNAUTHENTICATED or FORBIDDEN unless the caller holds the policy's role in each of them.
 * An id that names nothing passes: the resolver then answers NOT_FOUND and changes nothing.
 */
export async function authorizeField(
  field: string,
  policy: FieldPolicy | undefined,
  principal: Principal,
  args: Record<string, unknown>,
  lookup: ProjectLookup,
): Promise<void> {
  requireAuthenticated(principal);
  if (principal.unrestrictedAdmin) return;
  if (!policy) throw new ForbiddenError(`${field} has no access policy, so it is refused; this is a server bug worth reporting.`);
  if (policy.kind === "serverAdmin") throw new ForbiddenError(`${field} is for server administrators.`);
  if (policy.kind === "caller") {
    const projects = policy.role ? principal.projectsWith(policy.role) : null;
    if (projects !== null && projects.length === 0) {
      throw new ForbiddenError(`${field} needs the ${policy.role} role in at least one project; ask a project admin to addMember you.`);
    }
    return;
  }
  const refs = collectRefs(args, policy.id);
  if (!refs.length) {
    if (!policy.defaultProject) throw new ForbiddenError(`${field} names no study, trial, search or project to check your role against; pass one.`);
    refs.push({ kind: RefKind.ProjectName, id: DEFAULT_PROJECT, arg: "project" });
  }
  const owners = await Promise.all(refs.map((r) => lookup.owner(r.kind, r.id)));
  refs.forEach((ref, i) => {
    const owner = owners[i];
    if (owner) checkOwner(field, policy, principal, ref, owner);
  });
}

interface Ref {
  kind: RefKind;
  id: string;
  /** Where it came from, for the error message. */
  arg: string;
}

/** Every id-like argument, top level and one input object deep (input.studyId, finished.trialId). */
function collectRefs(args: Record<string, unknown>, idKind: RefKind | undefined): Ref[] {
  const refs: Ref[] = [];
  const visit = (object: Record<string, unknown>, prefix: string, depth: number) => {
    for (const [name, value] of Object.entries(object)) {
      if (value == null) continue;
      const kind = name === "id" && depth === 0 ? idKind : REF_ARGUMENTS[name];
      if (kind && (typeof value === "string" || typeof value === "number")) refs.push({ kind, id: String(value), arg: prefix + name });
      else if (kind && Array.isArray(value)) value.forEach((v, i) => refs.push({ kind, id: String(v), arg: `${prefix}${name}[${i}]` }));
      else if (depth === 0 && typeof value === "object" && !Array.isArray(value)) visit(value as Record<string, unknown>, `${prefix}${name}.`, 1);
    }
  };
  visit(args, "", 0);
  return refs;
}

function checkOwner(field: string, policy: Extract<FieldPolicy, { kind: "project" }>, principal: Principal, ref: Ref, owner: RefOwner): void {
  if (owner.projectIds === null) {
    // An executor shared by every project: only a caller with the role everywhere may drive it.
    if (principal.projectsWith(policy.role) === null) return;
    throw new ForbiddenError(`${ref.arg} ${ref.id} is an executor of every project; only a server administrator's key may use it.`, ref.arg);
  }
  for (const projectId of owner.projectIds) {
    const role = principal.roleIn(projectId);
    const searchTrial = ref.kind === RefKind.Trial && owner.searchTrial;
    const needed = policy.executorOnSearchTrials && ref.kind === RefKind.Trial && !searchTrial ? maxOf(policy.role) : policy.role;
    const ok = policy.executorOnSearchTrials && searchTrial ? atLeast(role, "EXECUTOR") : atLeast(role, needed);
    if (!ok) {
      throw new ForbiddenError(
        `${field} needs the ${needed} role in the project of ${ref.arg} ${ref.id}; this key has ${role ?? "no role"} there.`,
        ref.arg,
      );
    }
  }
}

/** EXECUTOR keys touch only trials of searches: any other trial needs MEMBER. */
function maxOf(role: "VIEWER" | "EXECUTOR" | "MEMBER" | "ADMIN") {
  return atLeast(role, "MEMBER") ? role : "MEMBER";
}
