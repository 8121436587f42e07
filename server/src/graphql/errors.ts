import { unwrapResolverError } from "@apollo/server/errors";
import type { GraphQLFormattedError } from "graphql";
import { DomainError } from "../errors";
import type { Logger } from "../logging";
import { InvalidSpaceError } from "../optimization";

/**
 * Gives every error a contract code: domain errors keep theirs (with the field to fix), engine
 * validation errors are BAD_USER_INPUT, and anything unexpected is logged and reported as an
 * internal error without leaking details.
 */
export function formatError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof DomainError) {
      return { ...formatted, message: original.message, extensions: { ...formatted.extensions, code: original.code, field: original.field } };
    }
    if (original instanceof InvalidSpaceError) {
      return { ...formatted, message: original.message, extensions: { ...formatted.extensions, code: "BAD_USER_INPUT", field: original.field } };
    }
    const code = formatted.extensions?.code;
    if (code === "INTERNAL_SERVER_ERROR" || code === undefined) {
      logger.error("unexpected error in a resolver", { error: original, path: formatted.path });
      return { message: "internal server error; the server log has the details", path: formatted.path, extensions: { code: "INTERNAL_SERVER_ERROR" } };
    }
    return formatted;
  };
}
