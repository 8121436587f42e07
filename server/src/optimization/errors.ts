/**
 * Raised for a search space, parameter value or sampler/pruner configuration that a user got
 * wrong. `field` names the input that must change; the GraphQL layer turns this into
 * BAD_USER_INPUT.
 */
export class InvalidSpaceError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = "InvalidSpaceError";
  }
}

/**
 * Raised by a sampler that has no new point to give, e.g. a GRID sampler whose grid is used up.
 * The studies layer turns this into a CONFLICT error that says the study is exhausted.
 */
export class SearchSpaceExhaustedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SearchSpaceExhaustedError";
  }
}
