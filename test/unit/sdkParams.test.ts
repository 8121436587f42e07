import { describe, expect, it } from "vitest";
import {
  BadUserInputError,
  ConflictError,
  ForbiddenError,
  GraphtuneError,
  InternalServerError,
  NotFoundError,
  UnauthenticatedError,
  categoricalParam,
  floatParam,
  intParam,
} from "../../client-sdk/src";
import { errorFromServer } from "../../client-sdk/src/errors";
import { matchesDeclared, type DeclaredParam } from "../../client-sdk/src/params";
import { backoffMs, faultOf } from "../../client-sdk/src/retry";

/** A declared parameter as the server answers it (normalised). */
function declared(spec: Partial<DeclaredParam> & Pick<DeclaredParam, "name" | "type">): DeclaredParam {
  return { low: null, high: null, log: false, step: null, choices: null, condition: null, ...spec };
}

describe("matchesDeclared", () => {
  it("accepts the declared distribution under the server's normalisation", () => {
    expect(matchesDeclared(declared({ name: "n", type: "INT", low: 1, high: 9, step: 1 }), intParam("n", 1, 9))).toBe(true);
    // INT high is cut to the step grid: 1..10 step 3 is stored as 1..10 (1, 4, 7, 10); 1..11 as 1..10.
    expect(matchesDeclared(declared({ name: "n", type: "INT", low: 1, high: 10, step: 3 }), intParam("n", 1, 11, { step: 3 }))).toBe(true);
    expect(matchesDeclared(declared({ name: "d", type: "FLOAT", low: 0, high: 0.5, step: 0.1 }), floatParam("d", 0, 0.55, { step: 0.1 }))).toBe(true);
    expect(matchesDeclared(declared({ name: "lr", type: "FLOAT", low: 1e-5, high: 0.1, log: true }), floatParam("lr", 1e-5, 0.1, { log: true }))).toBe(true);
    expect(matchesDeclared(declared({ name: "o", type: "CATEGORICAL", choices: ["a", 1, null] }), categoricalParam("o", ["a", 1, null]))).toBe(true);
  });

  it("refuses any other range, scale, step, type or choices", () => {
    const lr = declared({ name: "lr", type: "FLOAT", low: 1e-5, high: 0.1, log: true });
    expect(matchesDeclared(lr, floatParam("lr", 1e-5, 0.1))).toBe(false);
    expect(matchesDeclared(lr, floatParam("lr", 1e-4, 0.1, { log: true }))).toBe(false);
    expect(matchesDeclared(lr, intParam("lr", 1, 2))).toBe(false);
    expect(matchesDeclared(declared({ name: "x", type: "FLOAT", low: 0, high: 1 }), floatParam("x", 0, 1, { step: 0.5 }))).toBe(false);
    expect(matchesDeclared(declared({ name: "n", type: "INT", low: 1, high: 9, step: 2 }), intParam("n", 1, 9))).toBe(false);
    expect(matchesDeclared(declared({ name: "o", type: "CATEGORICAL", choices: ["a", "b"] }), categoricalParam("o", ["b", "a"]))).toBe(false);
  });
});

describe("errors", () => {
  it("are one class per server code, carrying the code and field", () => {
    const cases: [string, new (...args: never[]) => GraphtuneError][] = [
      ["BAD_USER_INPUT", BadUserInputError],
      ["NOT_FOUND", NotFoundError],
      ["CONFLICT", ConflictError],
      ["UNAUTHENTICATED", UnauthenticatedError],
      ["FORBIDDEN", ForbiddenError],
      ["INTERNAL_SERVER_ERROR", InternalServerError],
    ];
    for (const [code, Class] of cases) {
      const error = errorFromServer("m", code, "input.name");
      expect(error).toBeInstanceOf(Class);
      expect(error).toBeInstanceOf(GraphtuneError);
      expect(error).toMatchObject({ code, field: "input.name", name: Class.name, message: "m" });
    }
    expect(errorFromServer("m", "SOMETHING_NEW")).toMatchObject({ code: "SOMETHING_NEW", name: "GraphtuneError" });
    expect(errorFromServer("m", undefined).code).toBe("INTERNAL_SERVER_ERROR");
  });
});

describe("retry policy", () => {
  it("backs off exponentially with jitter, capped", () => {
    const options = { attempts: 5, initialDelayMs: 100, maxDelayMs: 1000 };
    for (let i = 0; i < 200; i++) {
      const first = backoffMs(options, 1);
      const third = backoffMs(options, 3);
      const late = backoffMs(options, 10);
      expect(first >= 50 && first <= 100).toBe(true);
      expect(third >= 200 && third <= 400).toBe(true);
      expect(late >= 500 && late <= 1000).toBe(true);
    }
  });

  it("treats a refused connection as never sent, a cut one as maybe sent", () => {
    const refused = Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED", message: "connect ECONNREFUSED" } });
    const cut = Object.assign(new TypeError("fetch failed"), { cause: { code: "UND_ERR_SOCKET", message: "other side closed" } });
    expect(faultOf(refused, false)).toEqual({ description: "connect ECONNREFUSED (ECONNREFUSED)", notSent: true });
    expect(faultOf(cut, false).notSent).toBe(false);
    expect(faultOf(new Error("aborted"), true)).toEqual({ description: "no answer within the request timeout", notSent: false });
  });
});
