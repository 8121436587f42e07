import { query } from "../api/connection";
import { importanceField, type ImportanceField } from "../api/schemaFeatures";
import { fill, h, note } from "../ui/dom";
import { formatNumber } from "../ui/format";

/**
 * Hyperparameter importance as horizontal bars, from `Study.paramImportances(method)` when the
 * server has that field; otherwise a note that this server cannot compute it yet.
 */
export class ImportancePanel {
  readonly el = h("div", { class: "importance" });
  private field: ImportanceField | null | undefined;
  private method: string | null = null;
  private objective = 0;

  constructor(private readonly studyId: string) {}

  /** Asks again (after new trials); `objective` picks the value of multi-objective studies. */
  async refresh(objective = this.objective): Promise<void> {
    this.objective = objective;
    try {
      if (this.field === undefined) {
        this.field = await importanceField();
        this.method = this.field?.defaultMethod ?? null;
      }
      const field = this.field;
      if (!field) {
        fill(this.el, note("Not available: this server's API has no Study.paramImportances field yet. Importances will show here once it does."));
        return;
      }
      const args = [
        this.method ? `method: ${field.methodIsEnum ? this.method : JSON.stringify(this.method)}` : "",
        field.takesObjective && this.objective ? `objective: ${this.objective}` : "",
      ].filter(Boolean);
      const arg = args.length ? `(${args.join(", ")})` : "";
      const data = await query<{ study: { paramImportances: unknown } | null }>(
        `query DashboardImportances($id: ID!) { study(id: $id) { paramImportances${arg} ${field.selection} } }`,
        { id: this.studyId },
      );
      const rows = field.read(data.study?.paramImportances).filter((r) => Number.isFinite(r.importance));
      rows.sort((a, b) => b.importance - a.importance);
      const max = Math.max(1e-12, ...rows.map((r) => r.importance));
      const picker = field.methods.length
        ? h(
            "label",
            { class: "inline" },
            "Method ",
            h(
              "select",
              { onchange: (e: Event) => ((this.method = (e.target as HTMLSelectElement).value), void this.refresh()) },
              field.methods.map((m) => h("option", { value: m, selected: m === this.method }, m)),
            ),
          )
        : null;
      fill(
        this.el,
        picker,
        rows.length
          ? h(
              "div",
              { class: "bars" },
              rows.map((r) =>
                h("div", { class: "bar-row" }, h("span", { class: "bar-label" }, r.name), h("span", { class: "bar-track" }, h("span", { class: "bar", style: `width:${(100 * r.importance) / max}%` })), h("span", { class: "bar-value" }, formatNumber(r.importance))),
              ),
            )
          : note("No importances yet: they need finished trials."),
      );
    } catch (error) {
      fill(this.el, note(`Importances could not be loaded: ${(error as Error).message}`, "error"));
    }
  }
}
