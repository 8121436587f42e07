import type { Database } from "../../db/database";
import { NotFoundError } from "../../errors";
import type { StudyService } from "../studyService";
import { checkName } from "../inputChecks";
import type { StudyRecord } from "../records";
import { studyCsv } from "./studyCsv";
import type { StudyDocument } from "./studyDocument";
import { parseStudyDocument } from "./studyDocumentParser";
import { readStudyDocument } from "./studyExporter";
import { writeStudy } from "./studyImporter";

export type ExportFormat = "JSON" | "CSV";

/** Studies out as JSON (lossless) or CSV (one row per trial, no curves), and JSON back in. */
export class ExportService {
  constructor(
    private readonly db: Database,
    private readonly studies: StudyService,
  ) {}

  /** The study as one consistent snapshot, even while trials keep reporting. */
  async document(studyId: string): Promise<StudyDocument> {
    return this.db.transaction(async (sql) => {
      await sql.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
      return readStudyDocument(sql, studyId);
    });
  }

  async export(studyId: string, format: ExportFormat): Promise<string> {
    const document = await this.document(studyId);
    return format === "CSV" ? studyCsv(document) : JSON.stringify(document);
  }

  /**
   * Creates a new study from a JSON export, under `name` (default: the exported name) in the
   * project named `project` (default: the default project), in one transaction: nothing is
   * written unless everything is.
   */
  async import(data: string, name?: string | null, project?: string | null): Promise<StudyRecord> {
    const parsed = parseStudyDocument(data);
    const studyName = name == null ? parsed.study.name : checkName(name, "name");
    const projectId = project == null ? await this.studies.defaultProject() : await this.projectNamed(project);
    const id = await this.db.transaction((sql) => writeStudy(sql, parsed, projectId, studyName));
    return this.studies.get(id);
  }

  private async projectNamed(name: string): Promise<string> {
    const [row] = await this.db.query<{ id: string }>(`SELECT id FROM projects WHERE name = $1`, [name]);
    if (!row) throw new NotFoundError("project", name);
    return String(row.id);
  }
}
