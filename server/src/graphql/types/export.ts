import { registerEnumType } from "type-graphql";

export enum ExportFormat {
  JSON = "JSON",
  CSV = "CSV",
}

registerEnumType(ExportFormat, {
  name: "ExportFormat",
  description: "How exportStudy writes a study.",
  valuesConfig: {
    JSON: { description: "Everything: the study, every trial and every metric point. Lossless; importStudy reads it back." },
    CSV: {
      description:
        "One row per trial, like Optuna's trials_dataframe (number, value(s), times, params_*, user_attrs_*, state, tags, note). " +
        "Lossy: no metric curves, distributions or study settings, and it cannot be imported.",
    },
  },
});
