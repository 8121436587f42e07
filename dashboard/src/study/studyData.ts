import type { Study } from "../../../client-sdk/src/index";
import { query } from "../api/connection";
import { STUDY_CURVES, STUDY_TRIALS, TRIAL_PAGE } from "../api/queries";
import type { PageInfo, TrialRow } from "../api/types";
import type { Curve } from "../charts/curvesChart";

/** Options of StudyData. */
export interface StudyDataOptions {
  /** Curves are fetched for this many of the newest trials; default 200. */
  curveTrials?: number;
  /** Points per curve the server keeps when downsampling (`maxPoints`); default 100. */
  curvePoints?: number;
}

export interface TrialsPage {
  study: { trials: { totalCount: number; pageInfo: PageInfo; edges: { cursor: string; node: TrialRow }[] } } | null;
}

interface CurvesPage {
  study: { trials: { edges: { node: { id: string; number: number; state: TrialRow["state"]; metrics: { points: { step: number; value: number }[] }[] } }[] } } | null;
}

/** Trials in the first page: small, so the history is drawn quickly while the rest loads. */
const FIRST_PAGE = 250;

/** Asks for a study's first page of trials: the page can do so before the study itself has loaded. */
export function firstTrialsPage(studyId: string): Promise<TrialsPage> {
  return query<TrialsPage>(STUDY_TRIALS, { id: studyId, first: FIRST_PAGE, after: null });
}

/**
 * Everything the study page draws, kept current: every trial (without curves) loaded in pages of
 * 1,000, the objective curves of the newest trials (downsampled by the server), and live changes
 * from trialUpdated and metricsReported over graphql-ws. `onChange` fires after each change.
 */
export class StudyData {
  readonly trials = new Map<string, TrialRow>();
  readonly curves = new Map<string, Curve>();
  totalCount = 0;
  loaded = false;
  private cursors: string[] = [];
  private readonly stop = new AbortController();
  private readonly curveTrials: number;
  private readonly curvePoints: number;

  constructor(
    readonly study: Study,
    private readonly onChange: (what: "trials" | "curves") => void,
    options: StudyDataOptions = {},
  ) {
    this.curveTrials = options.curveTrials ?? 200;
    this.curvePoints = options.curvePoints ?? 100;
  }

  /**
   * Starts the live watches, then loads trials page by page (onChange after each) and curves.
   * `firstPage` is the first page if the caller already asked for it (see firstTrialsPage).
   */
  async start(firstPage?: Promise<TrialsPage>): Promise<void> {
    void this.watchTrials();
    void this.watchCurves();
    let after: string | null = null;
    for (let pageNumber = 0; ; pageNumber++) {
      const data: TrialsPage = pageNumber === 0 && firstPage ? await firstPage : await query<TrialsPage>(STUDY_TRIALS, { id: this.study.id, first: TRIAL_PAGE, after });
      if (this.stop.signal.aborted || !data.study) return;
      const page = data.study.trials;
      this.totalCount = page.totalCount;
      for (const edge of page.edges) {
        // A live update may have arrived first and is newer.
        if (!this.trials.has(edge.node.id)) this.trials.set(edge.node.id, edge.node);
        this.cursors[edge.node.number] = edge.cursor;
      }
      if (!page.pageInfo.hasNextPage) break;
      this.onChange("trials");
      after = page.pageInfo.endCursor;
    }
    this.loaded = true;
    this.onChange("trials");
    await this.loadCurves();
  }

  /** Trials by number. */
  sorted(): TrialRow[] {
    return [...this.trials.values()].sort((a, b) => a.number - b.number);
  }

  close(): void {
    this.stop.abort();
  }

  private async loadCurves(): Promise<void> {
    const numbers = [...this.trials.values()].map((t) => t.number).sort((a, b) => a - b);
    const from = numbers.length > this.curveTrials ? numbers[numbers.length - this.curveTrials - 1] : null;
    const data = await query<CurvesPage>(STUDY_CURVES, {
      id: this.study.id,
      first: Math.min(this.curveTrials, 1000),
      after: from === null ? null : (this.cursors[from] ?? null),
      metric: this.study.objectiveMetric,
      maxPoints: this.curvePoints,
    });
    if (this.stop.signal.aborted || !data.study) return;
    for (const { node } of data.study.trials.edges) {
      const points = node.metrics[0]?.points ?? [];
      const curve = this.curveOf(node.id, node.number, node.state);
      // Live points that arrived meanwhile are kept; stored ones fill in around them.
      const merged = new Map<number, number>(points.map((p) => [p.step, p.value]));
      curve.steps.forEach((s, i) => merged.set(s, curve.values[i]));
      setPoints(curve, merged);
    }
    this.onChange("curves");
  }

  private curveOf(trialId: string, number: number, state: TrialRow["state"]): Curve {
    let curve = this.curves.get(trialId);
    if (!curve) {
      curve = { trialId, number, state, steps: [], values: [] };
      this.curves.set(trialId, curve);
    }
    return curve;
  }

  private async watchTrials(): Promise<void> {
    try {
      for await (const t of this.study.watchTrials({ signal: this.stop.signal })) {
        const row: TrialRow = {
          id: t.id,
          number: t.number,
          state: t.state,
          values: t.values ?? null,
          params: (t.params ?? {}) as TrialRow["params"],
          startedAt: t.startedAt ?? null,
          completedAt: t.completedAt ?? null,
        };
        if (!this.trials.has(row.id)) this.totalCount++;
        this.trials.set(row.id, row);
        const curve = this.curves.get(row.id);
        if (curve) curve.state = row.state;
        this.onChange("trials");
        if (curve) this.onChange("curves");
      }
    } catch (error) {
      console.warn("trial updates stopped", error);
    }
  }

  private async watchCurves(): Promise<void> {
    try {
      // Live only: stored points come from the curves query, downsampled.
      for await (const batch of this.study.watchMetrics({ afterStep: null, signal: this.stop.signal })) {
        if (batch.name !== this.study.objectiveMetric) continue;
        const trial = this.trials.get(batch.trialId);
        const curve = this.curveOf(batch.trialId, trial?.number ?? -1, trial?.state ?? "RUNNING");
        const merged = new Map<number, number>(curve.steps.map((s, i) => [s, curve.values[i]]));
        for (const p of batch.points) merged.set(p.step, p.value);
        setPoints(curve, merged);
        this.onChange("curves");
      }
    } catch (error) {
      console.warn("metric updates stopped", error);
    }
  }
}

function setPoints(curve: Curve, byStep: Map<number, number>): void {
  const steps = [...byStep.keys()].sort((a, b) => a - b);
  curve.steps = steps;
  curve.values = steps.map((s) => byStep.get(s)!);
}
