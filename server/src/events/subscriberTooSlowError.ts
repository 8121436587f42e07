/**
 * A subscriber fell so far behind that the stream cannot hold what it has not read. The stream
 * ends with this error; subscribe again (and query current state) to continue.
 */
export class SubscriberTooSlowError extends Error {
  readonly code = "SUBSCRIBER_TOO_SLOW" as const;
  constructor(what: string, limit: number) {
    super(`this subscription fell behind by more than ${limit} ${what} and was ended; subscribe again and query the current state to continue.`);
    this.name = "SubscriberTooSlowError";
  }
}
