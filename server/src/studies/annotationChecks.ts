import { BadUserInputError } from "../errors";

/** Longest tag, in characters. */
export const MAX_TAG_LENGTH = 64;
/** Most tags one study or trial carries. */
export const MAX_TAGS = 50;
/** Longest note, in characters. */
export const MAX_NOTE_LENGTH = 10_000;

// Tags end up in URLs, CSV cells and chart legends, where control characters break things.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/**
 * A list of tags as a user sent it: each trimmed, non-empty, at most MAX_TAG_LENGTH characters,
 * without control characters; duplicates dropped (first one kept, order kept).
 */
export function checkTags(value: unknown, field: string): string[] {
  if (!Array.isArray(value)) throw new BadUserInputError(`${field} must be a list of strings.`, field);
  const out: string[] = [];
  value.forEach((raw, i) => {
    const tag = typeof raw === "string" ? raw.trim() : "";
    if (!tag) throw new BadUserInputError(`${field}[${i}] must be a non-empty string.`, `${field}[${i}]`);
    if (tag.length > MAX_TAG_LENGTH) {
      throw new BadUserInputError(`${field}[${i}] is ${tag.length} characters long; a tag has at most ${MAX_TAG_LENGTH}.`, `${field}[${i}]`);
    }
    if (CONTROL_CHARACTERS.test(tag)) {
      throw new BadUserInputError(`${field}[${i}] contains a control character (a newline or tab, say); remove it.`, `${field}[${i}]`);
    }
    if (!out.includes(tag)) out.push(tag);
  });
  return out;
}

/** The tags an entity ends up with must stay within MAX_TAGS. */
export function checkTagCount(tags: string[], field: string): string[] {
  if (tags.length > MAX_TAGS) {
    throw new BadUserInputError(`that would make ${tags.length} tags; keep at most ${MAX_TAGS} (remove some first).`, field);
  }
  return tags;
}

/** A note: trimmed; empty or null clears it; at most MAX_NOTE_LENGTH characters. */
export function checkNote(value: unknown, field: string): string | null {
  if (value == null) return null;
  if (typeof value !== "string") throw new BadUserInputError(`${field} must be a string or null.`, field);
  const note = value.trim();
  if (note.length > MAX_NOTE_LENGTH) {
    throw new BadUserInputError(`${field} is ${note.length} characters long; a note has at most ${MAX_NOTE_LENGTH}.`, field);
  }
  return note || null;
}

/** `tags` with `add` appended (new ones only) and `remove` taken out, in that order. */
export function editTags(tags: string[], add: string[], remove: string[]): string[] {
  const out = tags.filter((t) => !remove.includes(t));
  for (const t of add) if (!out.includes(t) && !remove.includes(t)) out.push(t);
  return out;
}
