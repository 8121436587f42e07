import type { Logger } from "../logging";
import { EventBusKind, type BusListener, type EventBus } from "./eventBus";
import type { BusMessage, DomainEvent } from "./events";

/**
 * The bus of a single server process. Delivery happens on a later turn of the event loop, never on
 * the publisher's stack, so a mutation answers before its subscribers are served (as with the
 * PostgreSQL bus).
 */
export class MemoryEventBus implements EventBus {
  readonly kind = EventBusKind.Memory;
  private readonly listeners = new Set<BusListener>();
  private pending: DomainEvent[] = [];
  private scheduled = false;
  private closed = false;

  /** `logger` hears of listeners that throw; default: none. */
  constructor(private readonly logger?: Logger) {}

  publish(event: DomainEvent): void {
    if (this.closed) return;
    this.pending.push(event);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  subscribe(listener: BusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async start(): Promise<void> {}

  async close(): Promise<void> {
    this.closed = true;
    this.pending = [];
    this.listeners.clear();
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    for (const event of batch) deliver(this.listeners, event, this.logger);
  }
}

/** Calls every listener; one that throws is logged and does not keep the event from the others. */
export function deliver(listeners: Iterable<BusListener>, message: BusMessage, logger?: Logger): void {
  for (const listener of listeners) {
    try {
      listener(message);
    } catch (error) {
      logger?.error("an event listener failed", { error, event: message.type });
    }
  }
}
