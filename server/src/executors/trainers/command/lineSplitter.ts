import { StringDecoder } from "node:string_decoder";

/**
 * Cuts a byte stream into text lines while holding at most `maxLineChars` of any one line, so a
 * program that prints megabytes without a newline cannot make the worker hold them. A longer line
 * is passed on cut to that length (`truncated`) and the rest of it is dropped. A carriage return
 * inside a line keeps only what follows it, as a terminal shows it (progress bars redraw so).
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder("utf8");
  private partial = "";
  /** Dropping the rest of a line that was already passed on cut. */
  private dropping = false;

  constructor(
    private readonly maxLineChars: number,
    private readonly onLine: (line: string, truncated: boolean) => void,
  ) {}

  push(chunk: Buffer): void {
    this.take(this.decoder.write(chunk));
  }

  /** Passes on the last line when the stream ends without a newline. */
  end(): void {
    this.take(this.decoder.end());
    if (this.partial || this.dropping) this.finishLine();
  }

  private take(text: string): void {
    let start = 0;
    for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
      this.append(text.slice(start, nl));
      this.finishLine();
      start = nl + 1;
    }
    if (start < text.length) this.append(text.slice(start));
  }

  private append(text: string): void {
    if (this.dropping) {
      // A redraw after the cut starts a fresh line worth keeping.
      const cr = lastInnerCarriageReturn(text);
      if (cr < 0) return;
      this.dropping = false;
      text = text.slice(cr + 1);
    }
    this.partial += text;
    if (this.partial.length <= this.maxLineChars) return;
    const cr = lastInnerCarriageReturn(this.partial);
    if (cr >= 0) this.partial = this.partial.slice(cr + 1);
    if (this.partial.length > this.maxLineChars) {
      this.onLine(this.partial.slice(0, this.maxLineChars), true);
      this.partial = "";
      this.dropping = true;
    }
  }

  private finishLine(): void {
    if (this.dropping) {
      this.dropping = false;
      this.partial = "";
      return;
    }
    let line = this.partial.replace(/\r+$/, "");
    const cr = line.lastIndexOf("\r");
    if (cr >= 0) line = line.slice(cr + 1);
    this.partial = "";
    this.onLine(line, false);
  }
}

/** The last `\r` that is not at the very end (a trailing one may be half of a `\r\n`). */
function lastInnerCarriageReturn(text: string): number {
  return text.length < 2 ? -1 : text.lastIndexOf("\r", text.length - 2);
}
