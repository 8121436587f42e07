import type { JsonValue } from "../../../optimization";

// Pure: the task check (server side) parses templates too, so that a broken argv is refused when
// the search starts rather than once per trial on a worker.

/** One piece of a templated argument: literal text, or the name inside `{...}`. */
export type ArgPiece = { text: string } | { name: string };

/** The names a template may use besides the trial's parameters. */
export const TRIAL_ID_NAME = "trial.id";
export const TRIAL_NUMBER_NAME = "trial.number";

/**
 * Splits one argv entry into literal text and `{name}` placeholders. `{{` and `}}` stand for a
 * literal brace; a lone `}` is kept as it is. Throws an Error saying what to write instead when a
 * `{` is never closed or a placeholder is empty.
 */
export function parseArgTemplate(template: string): ArgPiece[] {
  const pieces: ArgPiece[] = [];
  let text = "";
  let i = 0;
  while (i < template.length) {
    const c = template[i];
    if (c === "{" && template[i + 1] === "{") {
      text += "{";
      i += 2;
    } else if (c === "}" && template[i + 1] === "}") {
      text += "}";
      i += 2;
    } else if (c === "{") {
      const end = template.indexOf("}", i + 1);
      const inner = end < 0 ? "" : template.slice(i + 1, end);
      if (end < 0 || inner.includes("{")) {
        throw new Error(`"${template}" opens a "{" at position ${i} that is never closed; write "{{" for a literal brace.`);
      }
      if (inner.trim() === "") throw new Error(`"${template}" has an empty "{}"; put a parameter name inside, or write "{{}}" for literal braces.`);
      if (text) pieces.push({ text });
      text = "";
      pieces.push({ name: inner.trim() });
      i = end + 1;
    } else {
      text += c;
      i++;
    }
  }
  if (text || pieces.length === 0) pieces.push({ text });
  return pieces;
}

/**
 * A parameter value as a program reads it from its command line or environment: strings as they
 * are, numbers in JavaScript's shortest exact form (0.001, 1e-7: both parse back to the same
 * double in Python or C), anything else as JSON.
 */
export function formatParamValue(value: JsonValue): string {
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  return JSON.stringify(value);
}

/** What a template may refer to for one trial. */
export interface TemplateValues {
  trialId: string;
  trialNumber: number;
  params: Record<string, JsonValue>;
}

/**
 * Fills a parsed template. Returns the argument, or `{ unknown }` with the first name that is
 * neither a parameter of this trial nor `trial.id` / `trial.number`.
 */
export function renderArgTemplate(pieces: ArgPiece[], values: TemplateValues): { arg: string } | { unknown: string } {
  let arg = "";
  for (const piece of pieces) {
    if ("text" in piece) {
      arg += piece.text;
    } else if (piece.name === TRIAL_ID_NAME) {
      arg += values.trialId;
    } else if (piece.name === TRIAL_NUMBER_NAME) {
      arg += String(values.trialNumber);
    } else if (Object.hasOwn(values.params, piece.name)) {
      arg += formatParamValue(values.params[piece.name]);
    } else {
      return { unknown: piece.name };
    }
  }
  return { arg };
}

/**
 * Fills every argv entry for one trial, or says which entry refers to an unknown name (the trial
 * then fails with that reason: a template cannot name a parameter the search space lacks).
 */
export function renderArgv(templates: string[], values: TemplateValues): { argv: string[] } | { reason: string } {
  const argv: string[] = [];
  for (const [i, template] of templates.entries()) {
    const rendered = renderArgTemplate(parseArgTemplate(template), values);
    if ("unknown" in rendered) {
      const names = Object.keys(values.params);
      return {
        reason:
          `task.argv[${i}] (${JSON.stringify(template)}) refers to {${rendered.unknown}}, which is not a parameter of this trial ` +
          `(its parameters: ${names.length ? names.join(", ") : "none"}; also {trial.id} and {trial.number}). ` +
          `Declare it in the search space, or write {{ and }} for literal braces.`,
      };
    }
    argv.push(rendered.arg);
  }
  return { argv };
}
