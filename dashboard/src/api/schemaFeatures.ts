import { query } from "./connection";
import { STUDY_FIELDS } from "./queries";

interface TypeRef {
  kind: string;
  name: string | null;
  ofType?: TypeRef | null;
}

interface FieldInfo {
  name: string;
  args: { name: string; defaultValue: string | null; type: TypeRef }[];
  type: TypeRef;
}

/** How to ask the served schema for parameter importances, when it has them. */
export interface ImportanceField {
  /** The `method` argument: its enum values (empty for a free string), and whether it may be left out. */
  methods: string[];
  methodRequired: boolean;
  defaultMethod: string | null;
  methodIsEnum: boolean;
  /** Whether the field takes `objective` (an index into the study's directions). */
  takesObjective: boolean;
  /** The selection to send and how to read each answer's name and importance. */
  selection: string;
  read(answer: unknown): { name: string; importance: number }[];
}

let studyFields: Promise<FieldInfo[]> | null = null;

/** The Study type's fields as the server describes them (asked once per page load). */
function fieldsOfStudy(): Promise<FieldInfo[]> {
  studyFields ??= query<{ __type: { fields: FieldInfo[] } | null }>(STUDY_FIELDS).then((d) => d.__type?.fields ?? []);
  return studyFields;
}

function named(t: TypeRef): TypeRef {
  return t.ofType ? named(t.ofType) : t;
}

/**
 * `Study.paramImportances(method)` is being added to the API. The dashboard looks for it in the
 * served schema instead of assuming it: null means this server does not have it (yet), and the
 * page says so rather than showing made-up numbers. The answer may be a list of objects (the
 * name and importance fields are found by their types) or a JSON object or list.
 */
export async function importanceField(): Promise<ImportanceField | null> {
  const field = (await fieldsOfStudy()).find((f) => f.name === "paramImportances");
  if (!field) return null;
  const methodArg = field.args.find((a) => a.name === "method");
  let methods: string[] = [];
  let methodIsEnum = false;
  if (methodArg && named(methodArg.type).kind === "ENUM") {
    methodIsEnum = true;
    const e = await query<{ __type: { enumValues: { name: string }[] } | null }>(`query { __type(name: ${JSON.stringify(named(methodArg.type).name)}) { enumValues { name } } }`);
    methods = e.__type?.enumValues.map((v) => v.name) ?? [];
  }
  const methodRequired = !!methodArg && methodArg.type.kind === "NON_NULL" && methodArg.defaultValue == null;
  const defaultMethod = methodArg?.defaultValue?.replace(/^"|"$/g, "") ?? (methodRequired ? (methods[0] ?? null) : null);
  const takesObjective = field.args.some((a) => a.name === "objective");
  const result = named(field.type);
  if (result.kind === "OBJECT") {
    const t = await query<{ __type: { fields: { name: string; type: TypeRef }[] } | null }>(
      `query { __type(name: ${JSON.stringify(result.name)}) { fields { name type { kind name ofType { kind name ofType { kind name } } } } } }`,
    );
    const fields = t.__type?.fields ?? [];
    const nameField = fields.find((f) => named(f.type).name === "String" && /param|name/i.test(f.name)) ?? fields.find((f) => named(f.type).name === "String");
    const valueField = fields.find((f) => named(f.type).name === "Float" && /importance|value/i.test(f.name)) ?? fields.find((f) => named(f.type).name === "Float");
    if (!nameField || !valueField) return null;
    return {
      methods,
      methodRequired,
      defaultMethod,
      methodIsEnum,
      takesObjective,
      selection: `{ ${nameField.name} ${valueField.name} }`,
      read: (answer) =>
        ((answer as Record<string, unknown>[] | null) ?? []).map((r) => ({ name: String(r[nameField.name]), importance: Number(r[valueField.name]) })),
    };
  }
  return { methods, methodRequired, defaultMethod, methodIsEnum, takesObjective, selection: "", read: readJson };
}

function readJson(answer: unknown): { name: string; importance: number }[] {
  if (Array.isArray(answer)) {
    return answer.map((r) => {
      const o = r as Record<string, unknown>;
      return { name: String(o.param ?? o.name), importance: Number(o.importance ?? o.value) };
    });
  }
  if (answer && typeof answer === "object") return Object.entries(answer).map(([name, v]) => ({ name, importance: Number(v) }));
  return [];
}
