import { describe, expect, it } from "vitest";
import { AskSpeculation } from "../../../server/src/studies/askSpeculation";
import type { StudyRecord } from "../../../server/src/studies/records";

const study = (id: string): StudyRecord =>
  ({ id, searchSpace: [{ name: "x", type: "FLOAT", low: 0, high: 1 }], sampler: { type: "RANDOM", seed: 1, options: {} } }) as unknown as StudyRecord;

describe("AskSpeculation", () => {
  it("tries nothing for a study it has not seen or whose sampler needs history", () => {
    const s = new AskSpeculation();
    expect(s.begin("1")).toBeNull();
    s.learn(study("1"), null, 5, false);
    expect(s.begin("1")).toBeNull();
  });

  it("gives each concurrent try a window from the lowest free number that covers every order of taking the lock", () => {
    const s = new AskSpeculation();
    s.learn(study("1"), { k: 1 }, 5, true);
    expect(s.begin("1")!).toMatchObject({ first: 5, count: 1, samplerState: { k: 1 }, spaceJson: JSON.stringify(study("1").searchSpace) });
    // A first burst of three concurrent tries (after the one above, 4 under way) teaches the peak.
    const burst = [s.begin("1")!, s.begin("1")!, s.begin("1")!];
    burst.forEach((t, i) => t.end(5 + i, null));
    const [a, b, c] = [s.begin("1")!, s.begin("1")!, s.begin("1")!];
    for (const t of [a, b, c]) {
      expect(t.first).toBe(8);
      expect(t.count).toBeGreaterThanOrEqual(3);
    }
    // They took the lock in the order c, a, b: each number lies in its window.
    c.end(8, null);
    a.end(9, null);
    b.end(10, null);
    expect([s.begin("1")!.first, s.counts]).toEqual([11, { hits: 6, misses: 0 }]);
  });

  it("after misses, tries less often (1, 2, 4 ... asks skipped), from the number the miss saw, and fully again after a hit", () => {
    const s = new AskSpeculation();
    s.learn(study("1"), null, 0, true);
    const skipsThenTry = () => {
      let skipped = 0;
      for (;;) {
        const attempt = s.begin("1");
        if (attempt) return { skipped, attempt };
        skipped++;
      }
    };
    s.begin("1")!.end(null, 40);
    const skips: number[] = [];
    for (let i = 0; i < 3; i++) {
      const { skipped, attempt } = skipsThenTry();
      expect(attempt.first).toBe(40);
      skips.push(skipped);
      attempt.end(null, null);
    }
    expect(skips).toEqual([1, 2, 4]);
    skipsThenTry().attempt.end(40, null);
    s.begin("1")!.end(null, 41);
    expect(skipsThenTry().skipped).toBe(1);
  });

  it("keeps at most maxStudies studies, forgetting the oldest", () => {
    const s = new AskSpeculation(2);
    for (const id of ["1", "2", "3"]) s.learn(study(id), null, 0, true);
    expect(s.begin("1")).toBeNull();
    expect(s.begin("3")).not.toBeNull();
  });
});
