export interface BoundedQueueOptions<T> {
  /** Most items held for a consumer that reads slower than items arrive. Required. */
  capacity: number;
  /**
   * Items with equal keys coalesce: a newer item replaces the one waiting, in its place. Default:
   * none (every item waits on its own).
   */
  keyOf?: (item: T) => string;
  /** Called once when the stream stops: the consumer returned, or `end`/`fail` was called. */
  onClose?: () => void;
}

/**
 * The buffer between a producer that must never wait (the event fan-out) and one consumer that
 * reads at its own pace (a WebSocket client). `push` answers false instead of growing past the
 * capacity; what to do then is the caller's policy. `return()` ends a pending `next()` at once, so
 * an idle subscription is released as soon as its client leaves.
 */
export class BoundedQueue<T> implements AsyncIterableIterator<T> {
  private readonly items = new Map<string | number, T>();
  private seq = 0;
  private waiting: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | null = null;
  private ready: (() => void) | null = null;
  private ended = false;
  private error: unknown = null;
  private closed = false;

  constructor(private readonly options: BoundedQueueOptions<T>) {}

  get size(): number {
    return this.items.size;
  }

  get isClosed(): boolean {
    return this.closed || this.ended;
  }

  /** Adds an item; false when the queue is full (or ended) and the item was not taken. */
  push(item: T): boolean {
    if (this.ended || this.closed) return false;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      w.resolve({ value: item, done: false });
      return true;
    }
    const key = this.options.keyOf ? this.options.keyOf(item) : this.seq++;
    if (!this.items.has(key) && this.items.size >= this.options.capacity) return false;
    this.items.set(key, item);
    this.interrupt();
    return true;
  }

  /** Takes the oldest item without waiting. */
  shift(): T | undefined {
    const first = this.items.entries().next();
    if (first.done) return undefined;
    this.items.delete(first.value[0]);
    return first.value[1];
  }

  /**
   * Resolves at the next push, end or return, or `interrupt()`: for a consumer that also reads from
   * elsewhere and must not leave a pending `next()` behind to swallow an item.
   */
  whenReady(): Promise<void> {
    if (this.items.size || this.isClosed) return Promise.resolve();
    return new Promise((resolve) => {
      this.ready = resolve;
    });
  }

  /** Wakes a `whenReady()` waiter. */
  interrupt(): void {
    const ready = this.ready;
    this.ready = null;
    ready?.();
  }

  /** The oldest item waiting, without taking it. */
  peek(): T | undefined {
    const first = this.items.values().next();
    return first.done ? undefined : first.value;
  }

  /** Discards every waiting item. */
  clear(): void {
    this.items.clear();
  }

  /** Takes every waiting item, oldest first. */
  drain(): T[] {
    const items = [...this.items.values()];
    this.items.clear();
    return items;
  }

  /** The consumer receives what is queued, then the end of the stream. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.waiting && this.items.size === 0) {
      const w = this.waiting;
      this.waiting = null;
      w.resolve({ value: undefined, done: true });
    }
    this.stop();
  }

  /** The consumer's next read fails with `error`; what is queued is discarded. */
  fail(error: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.error = error;
    this.items.clear();
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      w.reject(error);
      this.error = null;
    }
    this.stop();
  }

  next(): Promise<IteratorResult<T>> {
    const first = this.items.keys().next();
    if (!first.done) {
      const value = this.items.get(first.value)!;
      this.items.delete(first.value);
      return Promise.resolve({ value, done: false });
    }
    if (this.error !== null) {
      const error = this.error;
      this.error = null;
      return Promise.reject(error);
    }
    if (this.ended || this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.closed = true;
    this.items.clear();
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      w.resolve({ value: undefined, done: true });
    }
    this.stop();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private stop(): void {
    this.interrupt();
    const onClose = this.options.onClose;
    if (!onClose) return;
    this.options.onClose = undefined;
    onClose();
  }
}
