/**
 * Errors the SDK throws. Every error the server answers is a GraphtuneError subclass chosen by the
 * contract's `extensions.code`, so callers can write `catch (e) { if (e instanceof ConflictError) ... }`
 * or test `e.code`. Network faults that outlast the retries are NetworkError.
 */

/** The codes of the contract's errors, plus the client's own NETWORK_ERROR and BAD_RESPONSE. */
export type ErrorCode =
  | "BAD_USER_INPUT"
  | "NOT_FOUND"
  | "CONFLICT"
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "INTERNAL_SERVER_ERROR"
  | "NETWORK_ERROR"
  | "BAD_RESPONSE"
  | (string & {});

/** An error the server answered, with its `extensions.code` (BAD_USER_INPUT, NOT_FOUND, CONFLICT, ...). */
export class GraphtuneError extends Error {
  /**
   * The try that got this answer (1 for the first). Above 1, an earlier try may have reached the
   * server before its answer was lost.
   */
  attempts = 1;

  constructor(
    message: string,
    /** The contract's error code. */
    readonly code: ErrorCode,
    /** The input field to fix, when the server names one. */
    readonly field?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Input the server refused as sent; `field` names what to change. */
export class BadUserInputError extends GraphtuneError {}

/** An id or name that names nothing (or nothing the caller may see). */
export class NotFoundError extends GraphtuneError {}

/** Valid input the current state does not allow, e.g. telling a finished trial again. */
export class ConflictError extends GraphtuneError {}

/** The server wants credentials: pass `apiKey`. */
export class UnauthenticatedError extends GraphtuneError {}

/** The credentials do not allow this operation. */
export class ForbiddenError extends GraphtuneError {}

/** The server failed unexpectedly; its log has the details. */
export class InternalServerError extends GraphtuneError {}

/** The server could not be reached, or stopped answering, through every try. */
export class NetworkError extends GraphtuneError {}

/** The server answered something that is not a GraphQL response (a proxy's error page, say). */
export class BadResponseError extends GraphtuneError {}

const BY_CODE: Record<string, new (message: string, code: ErrorCode, field?: string) => GraphtuneError> = {
  BAD_USER_INPUT: BadUserInputError,
  GRAPHQL_VALIDATION_FAILED: BadUserInputError,
  GRAPHQL_PARSE_FAILED: BadUserInputError,
  BAD_REQUEST: BadUserInputError,
  NOT_FOUND: NotFoundError,
  CONFLICT: ConflictError,
  UNAUTHENTICATED: UnauthenticatedError,
  FORBIDDEN: ForbiddenError,
  INTERNAL_SERVER_ERROR: InternalServerError,
};

/** The error class for a server's `extensions.code`; unknown codes give a plain GraphtuneError. */
export function errorFromServer(message: string, code: string | undefined, field?: string): GraphtuneError {
  const effective = code ?? "INTERNAL_SERVER_ERROR";
  const Class = BY_CODE[effective] ?? GraphtuneError;
  return new Class(message, effective, field);
}

/**
 * Thrown by `trial.report()` when the study's pruner (or a person, with pruneTrial) stops the
 * trial; `study.optimize` catches it and tells the trial PRUNED. Throw it from an objective to
 * prune a trial yourself, as with Optuna's `TrialPruned`.
 */
export class TrialPruned extends Error {
  constructor(
    /** Why: the pruner's reason or the pruneTrial reason, when known. */
    readonly reason: string | null = null,
  ) {
    super(reason ? `trial pruned: ${reason}` : "trial pruned");
    this.name = "TrialPruned";
  }
}
