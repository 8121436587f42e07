import { PROJECT_ROLES } from "../db/entities/membership";

/** A role in a project: VIEWER reads; EXECUTOR also runs search trials; MEMBER also writes; ADMIN also manages. */
export type Role = (typeof PROJECT_ROLES)[number];

export { PROJECT_ROLES };

const RANK: Record<Role, number> = { VIEWER: 1, EXECUTOR: 2, MEMBER: 3, ADMIN: 4 };

/** Whether `role` may do what `needed` may. */
export function atLeast(role: Role | null | undefined, needed: Role): boolean {
  return role != null && RANK[role] >= RANK[needed];
}

/** The weaker of two roles; null stands for "no limit". */
export function weaker(a: Role, b: Role | null): Role {
  return b !== null && RANK[b] < RANK[a] ? b : a;
}

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && value in RANK;
}
