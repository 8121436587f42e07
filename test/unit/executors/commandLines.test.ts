import { describe, expect, it } from "vitest";
import { LineSplitter } from "../../../server/src/executors/trainers/command/lineSplitter";
import { parseMetricLine } from "../../../server/src/executors/trainers/command/metricLine";
import { OutputTail } from "../../../server/src/executors/trainers/command/outputTail";

function split(chunks: (string | Buffer)[], maxLineChars = 1000): [string, boolean][] {
  const lines: [string, boolean][] = [];
  const splitter = new LineSplitter(maxLineChars, (line, truncated) => lines.push([line, truncated]));
  for (const chunk of chunks) splitter.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  splitter.end();
  return lines;
}

describe("output lines", () => {
  it("joins lines across chunks, including a character split between two chunks", () => {
    const bytes = Buffer.from("naïve ünïcode\nsecond");
    expect(split([bytes.subarray(0, 3), bytes.subarray(3, 9), bytes.subarray(9)])).toEqual([
      ["naïve ünïcode", false],
      ["second", false],
    ]);
  });

  it("reads \\r\\n line ends, even split across chunks, and keeps what a progress bar shows last", () => {
    expect(split(['{"step": 1, "loss": 0.5}\r', "\nnext\r\n"])).toEqual([
      ['{"step": 1, "loss": 0.5}', false],
      ["next", false],
    ]);
    expect(split(["epoch 1:  10%\repoch 1:  50%\r", "epoch 1: 100%\n"])).toEqual([["epoch 1: 100%", false]]);
  });

  it("cuts a line longer than the limit and drops the rest of it", () => {
    expect(split(["a".repeat(30), "b".repeat(30), "\nafter\n"], 50)).toEqual([
      ["a".repeat(30) + "b".repeat(20), true],
      ["after", false],
    ]);
  });

  it("keeps the last lines of output in order", () => {
    const tail = new OutputTail(3, 10);
    for (const line of ["1", "2", "3", "4", "a very long line indeed", ""]) tail.push(line);
    expect(tail.toLines()).toEqual(["4", "a very lon…", ""]);
    expect(tail.lastNonBlank()).toBe("a very lon…");
  });
});

describe("metric lines", () => {
  it("reads a step's objective and other metrics; ordinary output is not metrics", () => {
    expect(parseMetricLine('{"step": 3, "loss": 0.41, "accuracy": 0.88, "tag": "x"}', "objective")).toEqual({
      report: { step: 3, objectiveKey: "loss", objective: 0.41, metrics: { accuracy: 0.88 } },
    });
    expect(parseMetricLine('{"epoch": 2, "val_loss": 0.3, "loss": 0.2}', "val_loss")?.report).toMatchObject({ step: 2, objective: 0.3, metrics: { loss: 0.2 } });
    for (const line of ["loss 0.4", "[1, 2]", '{"msg": "hello"}', "{not json}"]) expect(parseMetricLine(line, "objective")).toBeNull();
  });

  it("reads the NaN and Infinity Python writes, so a diverging run is seen", () => {
    expect(parseMetricLine('{"step": 4, "loss": NaN, "grad_norm": Infinity}', "objective")?.report).toMatchObject({ objective: NaN, metrics: {} });
  });

  it("reads final lines, and says why a metric-like line cannot be used", () => {
    expect(parseMetricLine('{"final": 0.37}', "objective")).toEqual({ final: [0.37] });
    expect(parseMetricLine('{"values": [0.37, 12]}', "objective")).toEqual({ final: [0.37, 12] });
    expect(parseMetricLine('{"final": "good"}', "objective")?.unusable).toMatch(/final line must be/);
    expect(parseMetricLine('{"step": 1.5, "loss": 1}', "objective")?.unusable).toMatch(/whole number/);
    expect(parseMetricLine('{"step": 1, "acc": 1}', "objective")?.unusable).toMatch(/no numeric "objective" or "loss".*task\.objective/);
  });
});
