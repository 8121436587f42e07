import { DomainError } from "./domainError";

/** No valid credentials: the caller sent no API key where one is needed, or one that does not work. */
export class UnauthenticatedError extends DomainError {
  readonly code = "UNAUTHENTICATED" as const;
}
