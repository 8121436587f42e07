import { DomainError } from "./domainError";

/** Input that cannot be accepted as sent; `field` names what to change. */
export class BadUserInputError extends DomainError {
  readonly code = "BAD_USER_INPUT" as const;
}
