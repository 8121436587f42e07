/** A JSON value, as the schema's JSON scalar carries it (parameters, attributes, options). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
