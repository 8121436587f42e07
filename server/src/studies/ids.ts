import { NotFoundError } from "../errors";

/** Database ids are bigints sent as strings; anything else cannot name a row. */
export function parseId(kind: string, id: string): string {
  if (typeof id !== "string" || !/^[1-9][0-9]{0,17}$/.test(id)) throw new NotFoundError(kind, String(id));
  return id;
}
