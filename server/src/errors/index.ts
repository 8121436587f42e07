export { DomainError, type ErrorCode } from "./domainError";
export { BadUserInputError } from "./badUserInput";
export { NotFoundError } from "./notFound";
export { ConflictError } from "./conflict";
export { UnauthenticatedError } from "./unauthenticated";
export { ForbiddenError } from "./forbidden";
