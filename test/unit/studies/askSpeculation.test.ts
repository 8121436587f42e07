import { describe, expect, it } from "vitest";
import { AskSpeculation } from "../../../server/src/studies/askSpeculation";
import type { StudyRecord } from "../../../server/src/studies/records";

const study = (id: string): StudyRecord =>
  ({ id, searchSpace: [{ name: "x", type: "FLOAT", low: 0, high: 1 }], sampler: { type: "RANDOM", seed: 1, options: {} } }) as unknown as StudyRecord;

describe("AskSpeculation", () => {
  it("tries nothing for a study it has not seen or whose sampler needs history", async () => {
    const s = new AskSpeculation();
    expect(await s.begin("1")).toBeNull();
    s.learn(study("1"), null, 5, false);
    expect(await s.begin("1")).toBeNull();
  });

  it("has two tries of a study under way at once; the next waits, and its window covers every order of taking the lock", async () => {
    const s = new AskSpeculation();
    s.learn(study("1"), { k: 1 }, 5, true);
    const a = (await s.begin("1"))!;
    expect(a).toMatchObject({ first: 5, count: 1, samplerState: { k: 1 }, spaceJson: JSON.stringify(study("1").searchSpace) });
    const b = (await s.begin("1"))!;
    let c: Awaited<ReturnType<AskSpeculation["begin"]>> | undefined;
    const third = s.begin("1").then((t) => (c = t));
    await new Promise((r) => setTimeout(r, 5));
    expect(c).toBeUndefined();
    a.end(5, null);
    await third;
    // b may take 6 or 7 and c the other: each number lies in both windows.
    for (const n of [6, 7]) {
      expect(n).toBeGreaterThanOrEqual(b.first);
      expect(n).toBeLessThan(b.first + b.count);
      expect(n).toBeGreaterThanOrEqual(c!.first);
      expect(n).toBeLessThan(c!.first + c!.count);
    }
    c!.end(6, null);
    b.end(7, null);
    expect([(await s.begin("1"))!.first, s.counts]).toEqual([8, { hits: 3, misses: 0 }]);
  });

  it("after misses, tries less often (1, 2, 4 ... asks skipped), from the number the miss saw, and fully again after a hit", async () => {
    const s = new AskSpeculation();
    s.learn(study("1"), null, 0, true);
    const skipsThenTry = async () => {
      let skipped = 0;
      for (;;) {
        const attempt = await s.begin("1");
        if (attempt) return { skipped, attempt };
        skipped++;
      }
    };
    (await s.begin("1"))!.end(null, 40);
    const skips: number[] = [];
    for (let i = 0; i < 3; i++) {
      const { skipped, attempt } = await skipsThenTry();
      expect(attempt.first).toBe(40);
      skips.push(skipped);
      attempt.end(null, null);
    }
    expect(skips).toEqual([1, 2, 4]);
    (await skipsThenTry()).attempt.end(40, null);
    (await s.begin("1"))!.end(null, 41);
    expect((await skipsThenTry()).skipped).toBe(1);
  });

  it("keeps at most maxStudies studies, forgetting the oldest", async () => {
    const s = new AskSpeculation(2);
    for (const id of ["1", "2", "3"]) s.learn(study(id), null, 0, true);
    expect(await s.begin("1")).toBeNull();
    expect(await s.begin("3")).not.toBeNull();
  });
});
