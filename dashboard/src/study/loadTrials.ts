import { query } from "../api/connection";
import { STUDY_TRIALS, TRIAL_PAGE } from "../api/queries";
import type { PageInfo, TrialRow } from "../api/types";

/** Every trial of a study (no curves), in pages of 1,000. */
export async function loadAllTrials(studyId: string): Promise<TrialRow[]> {
  const rows: TrialRow[] = [];
  let after: string | null = null;
  for (;;) {
    const data: { study: { trials: { pageInfo: PageInfo; edges: { node: TrialRow }[] } } | null } = await query(STUDY_TRIALS, { id: studyId, first: TRIAL_PAGE, after });
    if (!data.study) return rows;
    for (const e of data.study.trials.edges) rows.push(e.node);
    if (!data.study.trials.pageInfo.hasNextPage) return rows;
    after = data.study.trials.pageInfo.endCursor;
  }
}

/** The best value so far at each trial that improved it (COMPLETE trials only), in number order. */
export function bestSoFar(trials: TrialRow[], direction: "MINIMIZE" | "MAXIMIZE"): { number: number; value: number }[] {
  const out: { number: number; value: number }[] = [];
  let best: number | null = null;
  for (const t of [...trials].sort((a, b) => a.number - b.number)) {
    const v = t.values?.[0];
    if (t.state !== "COMPLETE" || v == null || !Number.isFinite(v)) continue;
    if (best === null || (direction === "MINIMIZE" ? v < best : v > best)) {
      best = v;
      out.push({ number: t.number, value: v });
    }
  }
  return out;
}
