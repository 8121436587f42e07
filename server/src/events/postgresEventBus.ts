import pg from "pg";
import type { Logger } from "../logging";
import { EventBusKind, type BusListener, type EventBus } from "./eventBus";
import { decodePayload, encodeFrame, packFrames, type DecodedFrame, type EventReference } from "./eventCodec";
import type { BusMessage, DomainEvent } from "./events";
import { deliver } from "./memoryEventBus";

export interface PostgresEventBusOptions {
  /** URL of the database that every server replica uses. Required. */
  url: string;
  /**
   * Reads an event too large for one NOTIFY back from the database; required. Resolving to null
   * drops the event (its rows were deleted meanwhile).
   */
  resolveReference: (reference: EventReference) => Promise<DomainEvent | null>;
  /** The NOTIFY channel; default "graphtune_events". Processes on one database and channel share events. */
  channel?: string;
  /** Hears of lost connections and failed publishes; default: none. */
  logger?: Logger;
  /** First wait before reconnecting after the connection fails; default 250 ms, doubling up to 10 s. */
  reconnectDelayMs?: number;
  /** Most events held while disconnected; beyond it the oldest are dropped (and logged); default 10,000. */
  maxOutbox?: number;
}

const CHANNEL_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;
const NOTIFY = "SELECT pg_notify($1, $2)";

/**
 * Events across server processes over PostgreSQL LISTEN/NOTIFY, on one dedicated connection per
 * process. Events published in the same turn of the event loop, or while the previous NOTIFY is in
 * flight, share NOTIFY payloads (each under the 8,000-byte limit), so the NOTIFY rate stays far
 * below the publish rate under load. Each process receives its own events through PostgreSQL
 * too: every listener on the database sees one order, the commit order of the NOTIFYs.
 *
 * When the connection drops, the bus reconnects with backoff and then tells its listeners that
 * events may have been lost (a "gap" message); events published meanwhile wait in a bounded outbox.
 */
export class PostgresEventBus implements EventBus {
  readonly kind = EventBusKind.Postgres;
  private readonly channel: string;
  private readonly listeners = new Set<BusListener>();
  private client: pg.Client | null = null;
  private starting: Promise<void> | null = null;
  private closed = false;
  private outbox: string[] = [];
  private flushScheduled = false;
  private flushing: Promise<void> | null = null;
  private inbox: Promise<void> | null = null;
  private reconnectDelay: number;
  private reconnectTimer: NodeJS.Timeout | null = null;

  constructor(private readonly options: PostgresEventBusOptions) {
    this.channel = options.channel ?? "graphtune_events";
    if (!CHANNEL_PATTERN.test(this.channel)) {
      throw new Error(`event channel "${this.channel}" must be a lower-case SQL identifier (letters, digits, _).`);
    }
    this.reconnectDelay = options.reconnectDelayMs ?? 250;
  }

  start(): Promise<void> {
    this.starting ??= this.connect();
    return this.starting;
  }

  publish(event: DomainEvent): void {
    if (this.closed) return;
    this.outbox.push(encodeFrame(event));
    const max = this.options.maxOutbox ?? 10_000;
    if (this.outbox.length > max) {
      const dropped = this.outbox.splice(0, this.outbox.length - max);
      this.options.logger?.warn("event outbox full: events dropped", { dropped: dropped.length });
    }
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        void this.flush();
      });
    }
  }

  subscribe(listener: BusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    await this.flushing;
    if (this.outbox.length) await this.flush(true);
    await this.inbox;
    const client = this.client;
    this.client = null;
    this.listeners.clear();
    await client?.end().catch(() => undefined);
  }

  /**
   * Connects and listens. After a reconnect, the gap notice goes out before any event received on
   * the new connection, so a stream that catches up on it starts reading the database only once
   * nothing can fall between its reads and live delivery.
   */
  private async connect(reconnect = false): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.url, application_name: "graphtune-events" });
    let held: string[] | null = [];
    client.on("notification", (message) => {
      if (message.channel !== this.channel || !message.payload) return;
      if (held) held.push(message.payload);
      else this.receive(message.payload);
    });
    client.on("error", (error) => this.lost(client, error));
    client.on("end", () => this.lost(client, null));
    await client.connect();
    await client.query(`LISTEN ${this.channel}`);
    this.client = client;
    this.reconnectDelay = this.options.reconnectDelayMs ?? 250;
    if (reconnect) this.emit({ type: "gap" });
    const early = held;
    held = null;
    for (const payload of early) this.receive(payload);
    void this.flush();
  }

  private lost(client: pg.Client, error: Error | null): void {
    if (this.closed || this.client !== client) return;
    this.client = null;
    this.options.logger?.warn("event bus lost its PostgreSQL connection; reconnecting", { error });
    client.end().catch(() => undefined);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.closed) return;
      this.connect(true).catch((error) => {
        this.options.logger?.warn("event bus could not reconnect; retrying", { error, inMs: this.reconnectDelay });
        this.reconnectDelay = Math.min(this.reconnectDelay * 2, 10_000);
        this.scheduleReconnect();
      });
    }, this.reconnectDelay);
    this.reconnectTimer.unref();
  }

  /** Sends what the outbox holds, in order, and whatever arrives meanwhile. */
  private flush(final = false): Promise<void> {
    if (this.flushing || (this.closed && !final)) return this.flushing ?? Promise.resolve();
    this.flushing = (async () => {
      while (this.outbox.length && this.client) {
        const client = this.client;
        const frames = this.outbox;
        this.outbox = [];
        try {
          // Queued on one connection, so PostgreSQL receives (and delivers) them in order. A named
          // statement is planned once per connection, not on every call.
          await Promise.all(
            packFrames(frames).map((payload) => client.query({ name: "graphtune_notify", text: NOTIFY, values: [this.channel, payload] })),
          );
        } catch (error) {
          // The connection failed mid-way: whether these reached PostgreSQL is unknown; listeners
          // everywhere are told of a gap once the connection is back.
          this.options.logger?.warn("event publish failed", { error, events: frames.length });
        }
      }
    })().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  /** Hands a payload's events to the listeners in arrival order, resolving references on the way. */
  private receive(payload: string): void {
    let frames: DecodedFrame[];
    try {
      frames = decodePayload(payload);
    } catch (error) {
      this.options.logger?.error("unreadable event payload skipped", { error });
      return;
    }
    if (!this.inbox && frames.every((f) => "event" in f)) {
      for (const f of frames) this.emit((f as { event: DomainEvent }).event);
      return;
    }
    const previous = this.inbox ?? Promise.resolve();
    const next: Promise<void> = previous
      .then(async () => {
        for (const f of frames) {
          if ("event" in f) {
            this.emit(f.event);
            continue;
          }
          try {
            const event = await this.options.resolveReference(f.reference);
            if (event) this.emit(event);
          } catch (error) {
            this.options.logger?.error("could not read a referenced event back", { error, reference: f.reference });
            this.emit({ type: "gap" });
          }
        }
      })
      .finally(() => {
        if (this.inbox === next) this.inbox = null;
      });
    this.inbox = next;
  }

  private emit(message: BusMessage): void {
    if (!this.closed) deliver(this.listeners, message, this.options.logger);
  }
}
