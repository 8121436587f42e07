/**
 * The last lines a program printed (stdout and stderr in the order they arrived), in a ring of
 * fixed size: memory stays bounded however long the program talks.
 */
export class OutputTail {
  private readonly lines: string[] = [];
  private next = 0;

  /**
   * @param size lines kept (0 keeps none).
   * @param maxLineChars longer lines are cut to this length, marked with "…".
   */
  constructor(
    private readonly size: number,
    private readonly maxLineChars = 2000,
  ) {}

  push(line: string, truncated = false): void {
    if (this.size === 0) return;
    const kept = truncated || line.length > this.maxLineChars ? `${line.slice(0, this.maxLineChars)}…` : line;
    if (this.lines.length < this.size) this.lines.push(kept);
    else this.lines[this.next] = kept;
    this.next = (this.next + 1) % this.size;
  }

  /** The kept lines, oldest first. */
  toLines(): string[] {
    return this.lines.length < this.size ? [...this.lines] : [...this.lines.slice(this.next), ...this.lines.slice(0, this.next)];
  }

  /** The last line with something other than white space in it, if any. */
  lastNonBlank(): string | undefined {
    return this.toLines().reverse().find((l) => l.trim() !== "");
  }

  toString(): string {
    return this.toLines().join("\n");
  }
}
