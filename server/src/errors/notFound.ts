import { DomainError } from "./domainError";

/** An id or name that names nothing (or nothing the caller may see). */
export class NotFoundError extends DomainError {
  readonly code = "NOT_FOUND" as const;
  constructor(kind: string, id: string) {
    super(`${kind} ${JSON.stringify(id)} does not exist; check the id (it may have been deleted).`, "id");
  }
}
