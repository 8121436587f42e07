import { DomainError } from "./domainError";

/** The caller is known but lacks the role this operation needs in the project it touches. */
export class ForbiddenError extends DomainError {
  readonly code = "FORBIDDEN" as const;
}
