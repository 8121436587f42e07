import type { Database } from "../db/database";
import { NotFoundError } from "../errors";
import type { TrialState } from "../optimization";
import { normaliseCurves, type CurvePoint, type CurveScale, type RawCurvePoint } from "./bestSoFarCurves";
import { bounded } from "./bounded";
import { studyFromRow, type StudyRecord } from "./records";
import { compareStudiesSql } from "./studyComparisonSql";
import { namesProject, studyFilterSql, type StudyFilterRequest } from "./studyFilter";
import { compareTrials, type CompareTrialsRequest, type TrialComparison } from "./trialComparison";

export type { CompareTrialsRequest, TrialComparison };

/** What the x of a best-so-far curve measures. */
export type CurveAxis = "TRIAL_NUMBER" | "ELAPSED_TIME";

export interface CompareStudiesRequest {
  filter?: StudyFilterRequest | null;
  /** Page size; default 20, at most 100. */
  first?: number | null;
  /** The last study id of the previous page. */
  afterId?: string | null;
  /** Most points per curve; default 200, at least 2, at most 10,000. */
  maxCurvePoints?: number | null;
  /** Default TRIAL_NUMBER. */
  axis?: CurveAxis | null;
  /** The projects the caller may see; null (the default): every project. */
  visibleProjectIds?: readonly string[] | null;
}

export interface ComparedStudy {
  study: StudyRecord;
  counts: Record<Lowercase<TrialState> | "total", number>;
  /** Per objective, the best value a COMPLETE trial reached (each objective on its own); null without one. */
  bestValues: number[] | null;
  bestSoFar: CurvePoint[];
}

export interface StudyComparison {
  entries: ComparedStudy[];
  hasNextPage: boolean;
  totalCount: number;
  axis: CurveAxis;
  /** Null when no compared study has a COMPLETE trial. */
  scale: CurveScale | null;
}

/** Team-wide comparison: many studies side by side, and trials across studies. */
export class ComparisonService {
  constructor(private readonly db: Database) {}

  async compareStudies(request: CompareStudiesRequest): Promise<StudyComparison> {
    const first = bounded(request.first, 20, 0, 100, "first");
    const maxCurvePoints = bounded(request.maxCurvePoints, 200, 2, 10_000, "maxCurvePoints");
    const axis = request.axis ?? "TRIAL_NUMBER";
    const filter = studyFilterSql(request.filter, request.visibleProjectIds ?? null);
    const rows = await this.db.query<Record<string, any>>(compareStudiesSql(filter), [
      ...filter.params,
      request.afterId ?? null,
      first + 1,
      axis === "ELAPSED_TIME",
    ]);
    const summary = rows[0];
    const project = namesProject(request.filter);
    if (project !== null && Number(summary.projects) === 0) {
      throw new NotFoundError("project", project);
    }
    const studyRows = rows.filter((r) => r.id != null);
    const page = studyRows.slice(0, first);
    const raw = page.map((r) => ({ direction: r.directions[0], points: curvePoints(r, axis) }));
    const { curves, scale } = normaliseCurves(raw, maxCurvePoints);
    return {
      entries: page.map((r, i) => ({
        study: studyFromRow(r),
        counts: countsOf(r.by_state ?? {}),
        bestValues: r.best_values ?? null,
        bestSoFar: curves[i],
      })),
      hasNextPage: studyRows.length > first,
      totalCount: Number(summary.total),
      axis,
      scale,
    };
  }

  compareTrials(request: CompareTrialsRequest): Promise<TrialComparison> {
    return compareTrials(this.db, request);
  }
}

function curvePoints(row: Record<string, any>, axis: CurveAxis): RawCurvePoint[] {
  const points = (row.points ?? []) as [number, number | null, number][];
  const origin: number | null = row.origin_ms;
  return points.map(([trialNumber, ms, value]) => ({
    x: axis === "TRIAL_NUMBER" ? trialNumber : ((ms ?? 0) - (origin ?? 0)) / 1000,
    trialNumber,
    completedAt: ms == null ? null : new Date(ms),
    value,
  }));
}

function countsOf(byState: Partial<Record<TrialState, number>>): ComparedStudy["counts"] {
  const n = (s: TrialState) => Number(byState[s] ?? 0);
  const counts = { waiting: n("WAITING"), running: n("RUNNING"), complete: n("COMPLETE"), pruned: n("PRUNED"), fail: n("FAIL") };
  return { ...counts, total: counts.waiting + counts.running + counts.complete + counts.pruned + counts.fail };
}
