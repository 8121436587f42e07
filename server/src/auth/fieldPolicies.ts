import { RefKind } from "./projectLookup";
import type { Role } from "./roles";

/**
 * What a root field needs. Every Query, Mutation and Subscription field has exactly one entry in
 * POLICIES; a field without one is refused for everyone but the local caller (a test walks the
 * schema and fails on a missing entry).
 */
export type FieldPolicy =
  | {
      /** The role needed in every project the arguments name (studyId, trialId, input.studyId, ...). */
      kind: "project";
      role: Role;
      /** What the `id` argument names. */
      id?: RefKind;
      /** With no project named by the arguments, the "default" project is meant (createStudy, study(name:)). */
      defaultProject?: boolean;
      /** An EXECUTOR may do this to trials that a search runs (report, tell, suggest), not to others. */
      executorOnSearchTrials?: boolean;
    }
  | {
      /** Acts only on what the caller may see or own: lists filtered by the service, own keys. */
      kind: "caller";
      /** When set, the caller needs this role in at least one project. */
      role?: Role;
    }
  | {
      /** Server administrators (and the local caller) only. */
      kind: "serverAdmin";
    };

const viewer = (id?: RefKind): FieldPolicy => ({ kind: "project", role: "VIEWER", id });
const member = (id?: RefKind): FieldPolicy => ({ kind: "project", role: "MEMBER", id });
const executor = (id?: RefKind): FieldPolicy => ({ kind: "project", role: "EXECUTOR", id });
const searchTrialWrite: FieldPolicy = { kind: "project", role: "MEMBER", executorOnSearchTrials: true };

/** Keyed "Type.field". */
export const POLICIES: Readonly<Record<string, FieldPolicy>> = {
  // Reading
  "Query.study": { kind: "project", role: "VIEWER", id: RefKind.Study, defaultProject: true },
  "Query.studies": { kind: "caller" },
  "Query.trial": viewer(RefKind.Trial),
  "Query.search": viewer(RefKind.Search),
  "Query.executors": { kind: "caller" },
  "Query.exportStudy": viewer(RefKind.Study),
  // Comparing: studies of one project (filter.project or filter.projectId), or named studies
  "Query.compareStudies": viewer(),
  "Query.compareTrials": viewer(),
  // Studies and trials
  "Mutation.createStudy": { kind: "project", role: "MEMBER", defaultProject: true },
  "Mutation.deleteStudy": { kind: "project", role: "ADMIN", id: RefKind.Study },
  "Mutation.setStudyUserAttrs": member(),
  "Mutation.askTrial": member(),
  "Mutation.enqueueTrial": member(),
  "Mutation.pruneTrial": member(),
  "Mutation.setTrialUserAttrs": searchTrialWrite,
  "Mutation.importStudy": { kind: "project", role: "MEMBER", defaultProject: true },
  "Mutation.setStudyTags": member(),
  "Mutation.tagStudy": member(),
  "Mutation.setStudyNote": member(),
  "Mutation.setTrialTags": member(),
  "Mutation.tagTrial": member(),
  "Mutation.setTrialNote": member(),
  "Mutation.suggestParam": searchTrialWrite,
  "Mutation.reportMetrics": searchTrialWrite,
  "Mutation.tellTrial": searchTrialWrite,
  // Searches and executors
  "Mutation.startSearch": member(),
  "Mutation.cancelSearch": member(RefKind.Search),
  "Mutation.registerExecutor": { kind: "caller", role: "EXECUTOR" },
  "Mutation.unregisterExecutor": executor(RefKind.Executor),
  "Mutation.claimTrial": { kind: "project", role: "EXECUTOR", executorOnSearchTrials: true },
  "Mutation.executorHeartbeat": { kind: "project", role: "EXECUTOR", executorOnSearchTrials: true },
  "Mutation.finishEvaluation": executor(),
  // Access control
  "Query.viewer": { kind: "caller" },
  "Query.apiKeys": { kind: "caller" },
  "Query.projectMembers": { kind: "project", role: "ADMIN" },
  "Mutation.createProject": { kind: "serverAdmin" },
  "Mutation.addMember": { kind: "project", role: "ADMIN" },
  "Mutation.removeMember": { kind: "project", role: "ADMIN" },
  "Mutation.createApiKey": { kind: "caller" },
  "Mutation.revokeApiKey": { kind: "caller" },
  // Live streams: checked once, at subscribe
  "Subscription.trialUpdated": viewer(),
  "Subscription.metricsReported": viewer(),
  "Subscription.studyProgress": viewer(),
  "Subscription.trialControl": viewer(),
};

/** Argument names that name something (or a list of them), at the top level or inside an input object. */
export const REF_ARGUMENTS: Readonly<Record<string, RefKind>> = {
  projectId: RefKind.Project,
  project: RefKind.ProjectName,
  studyId: RefKind.Study,
  trialId: RefKind.Trial,
  searchId: RefKind.Search,
  evaluationSearchId: RefKind.Search,
  executorId: RefKind.Executor,
  studyIds: RefKind.Study,
};

/** The default project's name (studies created without a project go there). */
export const DEFAULT_PROJECT = "default";
