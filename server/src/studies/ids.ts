import { NotFoundError } from "../errors";

const ID_PATTERN = /^[1-9][0-9]{0,17}$/;

/** Database ids are bigints sent as strings; anything else cannot name a row. */
export function isValidId(id: unknown): id is string {
  return typeof id === "string" && ID_PATTERN.test(id);
}

/** Returns the id, or throws NOT_FOUND for a string that cannot be an id. */
export function parseId(kind: string, id: string): string {
  if (!isValidId(id)) throw new NotFoundError(kind, String(id));
  return id;
}
