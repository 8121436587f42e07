import { describe, expect, it } from "vitest";
import { PreserializedPayloads } from "../../server/src/graphql/preserializedPayloads";

/** A message as graphql-ws writes one: JSON.stringify with the replacer. */
const message = (payloads: PreserializedPayloads, id: string, payload: unknown, type = "next") =>
  JSON.stringify({ id, type, payload }, payloads.replacer);

describe("PreserializedPayloads", () => {
  it("sends a shared result as its own JSON to every subscriber, serialising it once", () => {
    const payloads = new PreserializedPayloads();
    let serialised = 0;
    const points = [{ step: 1, value: 0.5 }, { step: 2, value: 0.25 }];
    // The data counts its serialisations (JSON.stringify calls toJSON once per serialisation).
    const data = {
      toJSON() {
        serialised++;
        return { metricsReported: { trialId: "7", points } };
      },
    };
    const result = payloads.share({ data });
    const first = payloads.splice(message(payloads, "a", result))!;
    const second = payloads.splice(message(payloads, 'b"}', result))!;
    expect(JSON.parse(first)).toEqual({ id: "a", type: "next", payload: { data: { metricsReported: { trialId: "7", points } } } });
    expect(JSON.parse(second)).toEqual({ id: 'b"}', type: "next", payload: { data: { metricsReported: { trialId: "7", points } } } });
    expect(serialised).toBe(1);
  });

  it("leaves other messages and unmarked payloads as graphql-ws writes them", () => {
    const payloads = new PreserializedPayloads();
    const unmarked = { data: { nested: { payload: { x: 1 }, type: "next" } } };
    const text = message(payloads, "c", unmarked);
    expect(text).toBe(JSON.stringify({ id: "c", type: "next", payload: unmarked }));
    expect(payloads.splice(text)).toBe(text);
    const complete = JSON.stringify({ id: "c", type: "complete" }, payloads.replacer);
    expect(payloads.splice(complete)).toBe(complete);
  });

  it("refuses a marker it does not know rather than send another payload", () => {
    const payloads = new PreserializedPayloads();
    const result = payloads.share({ data: { ok: true } });
    const text = message(payloads, "d", result);
    expect(payloads.splice(text)).toBe('{"id":"d","type":"next","payload":{"data":{"ok":true}}}');
    // The same message again: its payload was handed out already.
    expect(payloads.splice(text)).toBeNull();
  });
});
