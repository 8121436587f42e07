import { DomainError } from "./domainError";

/** The request is valid but the state does not allow it, e.g. telling a finished trial again. */
export class ConflictError extends DomainError {
  readonly code = "CONFLICT" as const;
}
