import type { Database } from "../db/database";
import type { Principal } from "./principal";
import { ProjectLookup } from "./projectLookup";

/** What a request's context knows about its caller. */
export interface RequestAuth {
  principal: Principal;
  /** Per request, so look-ups batch within it and never go stale across requests. */
  lookup: ProjectLookup;
}

export function requestAuth(db: Database, principal: Principal): RequestAuth {
  return { principal, lookup: new ProjectLookup(db) };
}
