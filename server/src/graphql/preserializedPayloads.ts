import type { ExecutionResult } from "graphql";
import WebSocket from "ws";

/** What the payload of a `next` message becomes until the socket puts the JSON in its place. */
const MARKER = "\u0000graphtune-payload:";
/** The marker as JSON.stringify writes it, after the key, at the end of the message. */
const MARKED_TAIL = `"payload":${JSON.stringify(MARKER).slice(0, -1)}`;

/**
 * Sends each subscription result as JSON serialised once, however many subscribers it goes to.
 * Subscribers sharing an execution (sharedSubscribe) get the same result object, and graphql-ws
 * would stringify it again for each of them: a tenth of a busy server's CPU. Instead:
 * `share(result)` (from graphql-ws's onNext) marks a result, graphql-ws's `jsonMessageReplacer`
 * (`replacer`) writes a numbered marker in place of a marked payload, and the connection's socket
 * (`socketClass`) swaps the marker for the payload's JSON, made on first use and kept with the
 * result. A message's marker is swapped in the same turn it is written; a message is never sent
 * with a payload other than its own (an unknown number closes the connection instead).
 */
export class PreserializedPayloads {
  private readonly marked = new WeakSet<object>();
  private readonly json = new WeakMap<object, string>();
  /** Payload JSON by marker number, until its message is sent. */
  private readonly pending = new Map<number, string>();
  private serial = 0;

  /** Marks a result for serialising once; returns it, for onNext to hand back to graphql-ws. */
  share(result: ExecutionResult): ExecutionResult {
    this.marked.add(result);
    return result;
  }

  /** graphql-ws's jsonMessageReplacer: a marked result at a message's payload becomes a marker. */
  readonly replacer = (key: string, value: unknown): unknown => {
    if (key !== "payload" || typeof value !== "object" || value === null || !this.marked.has(value)) return value;
    let json = this.json.get(value);
    if (json === undefined) {
      json = JSON.stringify(value);
      this.json.set(value, json);
    }
    const serial = this.serial++;
    // A socket that closed meanwhile never sends its message: forget the oldest such entries.
    if (this.pending.size >= 1024) this.pending.delete(this.pending.keys().next().value!);
    this.pending.set(serial, json);
    return `${MARKER}${serial}`;
  };

  /** The message with its marker, if any, replaced by the payload's JSON; null if the marker is unknown. */
  splice(message: string): string | null {
    if (!message.endsWith('"}')) return message;
    const at = message.lastIndexOf(MARKED_TAIL);
    if (at < 0) return message;
    const serial = Number(message.slice(at + MARKED_TAIL.length, -2));
    const json = this.pending.get(serial);
    if (json === undefined) return null;
    this.pending.delete(serial);
    return `${message.slice(0, at)}"payload":${json}}`;
  }

  /** The WebSocket class for the server's connections (WebSocketServer's `WebSocket` option). */
  socketClass(): typeof WebSocket {
    const payloads = this;
    return class PreserializingSocket extends WebSocket {
      override send(data: unknown, ...rest: unknown[]): void {
        if (typeof data === "string") {
          const spliced = payloads.splice(data);
          if (spliced === null) {
            const error = new Error("a message lost its payload");
            this.close(1011, `internal error: ${error.message}`);
            (rest.find((r) => typeof r === "function") as ((e: Error) => void) | undefined)?.(error);
            return;
          }
          data = spliced;
        }
        (WebSocket.prototype.send as (...args: unknown[]) => void).call(this, data, ...rest);
      }
    };
  }
}
