import type { Database } from "../db/database";
import { BadUserInputError, NotFoundError } from "../errors";
import { checkNote, checkTagCount, checkTags, editTags } from "./annotationChecks";
import { parseId } from "./ids";
import { STUDY_COLUMNS, TRIAL_COLUMNS, studyFromRow, trialFromRow, type StudyRecord, type TrialRecord } from "./records";
import type { TrialService } from "./trialService";
import { arrayParam } from "../db/arrayParam";

type Table = "studies" | "trials";

/** Tags and notes on studies and trials: what people keep about their experiments. */
export class AnnotationService {
  constructor(
    private readonly db: Database,
    /** Tells trialUpdated subscribers about changed trials. */
    private readonly trials: TrialService,
  ) {}

  /** Replaces a study's tags. */
  async setStudyTags(id: string, tags: unknown): Promise<StudyRecord> {
    const checked = checkTagCount(checkTags(tags, "tags"), "tags");
    return studyFromRow(await this.update("studies", id, "tags", checked));
  }

  /** Adds and removes some of a study's tags, keeping the others and their order. */
  async tagStudy(id: string, add: unknown, remove: unknown): Promise<StudyRecord> {
    return studyFromRow(await this.edit("studies", id, add, remove));
  }

  async setStudyNote(id: string, note: unknown): Promise<StudyRecord> {
    return studyFromRow(await this.update("studies", id, "note", checkNote(note, "note")));
  }

  async setTrialTags(id: string, tags: unknown): Promise<TrialRecord> {
    const checked = checkTagCount(checkTags(tags, "tags"), "tags");
    return this.trials.changed(trialFromRow(await this.update("trials", id, "tags", checked)), false);
  }

  async tagTrial(id: string, add: unknown, remove: unknown): Promise<TrialRecord> {
    return this.trials.changed(trialFromRow(await this.edit("trials", id, add, remove)), false);
  }

  async setTrialNote(id: string, note: unknown): Promise<TrialRecord> {
    return this.trials.changed(trialFromRow(await this.update("trials", id, "note", checkNote(note, "note"))), false);
  }

  /** Tags and notes of many trials (for trial records rebuilt from events, which lack them). */
  async ofTrials(ids: readonly string[]): Promise<Map<string, { tags: string[]; note: string | null }>> {
    const rows = await this.db.query<{ id: string; tags: string[]; note: string | null }>(
      `SELECT id, tags, note FROM trials WHERE id = ANY(${arrayParam(1, "bigint")})`,
      [ids],
    );
    return new Map(rows.map((r) => [String(r.id), { tags: r.tags, note: r.note }]));
  }

  private async update(table: Table, id: string, column: "tags" | "note", value: string[] | string | null) {
    const kind = table === "studies" ? "study" : "trial";
    parseId(kind, id);
    const columns = table === "studies" ? STUDY_COLUMNS : TRIAL_COLUMNS;
    const cast = column === "tags" ? "text[]" : "text";
    const rows = await this.db.query(`UPDATE ${table} SET ${column} = $2::${cast} WHERE id = $1 RETURNING ${columns}`, [id, value]);
    if (!rows.length) throw new NotFoundError(kind, id);
    return rows[0];
  }

  /** Read, edit and write under the row lock, so concurrent edits of one entity's tags all land. */
  private async edit(table: Table, id: string, add: unknown, remove: unknown) {
    const kind = table === "studies" ? "study" : "trial";
    parseId(kind, id);
    const added = add == null ? [] : checkTags(add, "add");
    const removed = remove == null ? [] : checkTags(remove, "remove");
    const both = added.find((t) => removed.includes(t));
    if (both !== undefined) {
      throw new BadUserInputError(`"${both}" is in both add and remove; name each tag in one of them.`, "remove");
    }
    const columns = table === "studies" ? STUDY_COLUMNS : TRIAL_COLUMNS;
    return this.db.transaction(async (sql) => {
      const [row] = await sql.query<{ tags: string[] }>(`SELECT tags FROM ${table} WHERE id = $1 FOR UPDATE`, [id]);
      if (!row) throw new NotFoundError(kind, id);
      const tags = checkTagCount(editTags(row.tags, added, removed), "add");
      const [updated] = await sql.query(`UPDATE ${table} SET tags = $2::text[] WHERE id = $1 RETURNING ${columns}`, [id, tags]);
      return updated;
    });
  }
}
