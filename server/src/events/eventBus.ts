import type { BusMessage, DomainEvent } from "./events";

/** Where the services put events, after the transaction that made them has committed. */
export interface EventPublisher {
  /** Never blocks or throws: a publish that fails is logged and its subscribers see a gap. */
  publish(event: DomainEvent): void;
}

/** Publishers that publish nothing, for services used without streams. */
export const NO_EVENTS: EventPublisher = { publish: () => undefined };

export type BusListener = (message: BusMessage) => void;

export enum EventBusKind {
  /** In-process delivery only: correct where one server process serves every client. */
  Memory = "memory",
  /** PostgreSQL LISTEN/NOTIFY: every replica on the same database sees every event. */
  Postgres = "postgres",
}

/**
 * Publish/subscribe between the services and the streams of every server process. Listeners of one
 * process see events in one order; with the PostgreSQL bus, every process sees the same order.
 */
export interface EventBus extends EventPublisher {
  readonly kind: EventBusKind;
  /** Calls `listener` for every event from now on; returns the function that stops it. */
  subscribe(listener: BusListener): () => void;
  /** Ready to deliver when it resolves (the PostgreSQL bus is listening). Idempotent. */
  start(): Promise<void>;
  /** Stops delivering and releases connections; events published afterwards are dropped. */
  close(): Promise<void>;
}
