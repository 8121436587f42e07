import { BadUserInputError } from "../errors";

/** Opaque Relay cursors: base64url of "kind:position". */
export function encodeCursor(kind: "study" | "trial", position: string | number): string {
  return Buffer.from(`${kind}:${position}`).toString("base64url");
}

export function decodeCursor(kind: "study" | "trial", cursor: string | null | undefined, field = "after"): string | null {
  if (cursor == null || cursor === "") return null;
  const text = Buffer.from(cursor, "base64url").toString();
  const prefix = `${kind}:`;
  const position = text.startsWith(prefix) ? text.slice(prefix.length) : "";
  if (!/^\d{1,18}$/.test(position)) {
    throw new BadUserInputError(`${field} is not a ${kind} cursor; pass an endCursor or cursor from a previous page.`, field);
  }
  return position;
}

/** Page sizes: `first` defaults to 100 and may not exceed 1,000. */
export function pageSize(first: number | null | undefined, field = "first"): number {
  if (first == null) return 100;
  if (!Number.isInteger(first) || first < 0 || first > 1000) {
    throw new BadUserInputError(`${field} must be between 0 and 1000 (got ${first}).`, field);
  }
  return first;
}
