// Pure helpers for the forms: x-constraints as rjsf custom validation, server field errors as
// rjsf extraErrors, timeseries fields as dropdowns. The forms stay a function of schema + data.

export type Json = Record<string, any>;

const OPS: Record<string, (a: any, b: any) => boolean> = {
  gt: (a, b) => a > b,
  ge: (a, b) => a >= b,
  lt: (a, b) => a < b,
  le: (a, b) => a <= b,
  eq: (a, b) => a === b,
  ne: (a, b) => a !== b,
};

function withDefaults(schema: Json, data: any): Json {
  const out: Json = { ...(schema.default ?? {}), ...(data ?? {}) };
  for (const [name, prop] of Object.entries<Json>(schema.properties ?? {})) {
    if (out[name] === undefined && prop.default !== undefined) out[name] = prop.default;
  }
  return out;
}

/** Check every `x-constraints` entry of `schema` (recursively) against `data`; call
 * `report(path, message)` for each broken rule, at the rule's left field. */
export function checkConstraints(
  schema: Json,
  data: any,
  report: (path: string[], message: string) => void,
  path: string[] = [],
) {
  if (!schema || schema.type !== "object") return;
  const values = withDefaults(schema, data);
  for (const rule of schema["x-constraints"] ?? []) {
    if (rule.when) {
      const op = OPS[rule.when.op];
      if (!op || !op(values[rule.when.field], rule.when.value)) continue;
    }
    const left = values[rule.left];
    const right = typeof rule.right === "string" ? values[rule.right] : rule.right;
    const op = OPS[rule.op];
    if (left === undefined || right === undefined || !op) continue;
    if (!op(left, right)) report([...path, rule.left], rule.message);
  }
  for (const [name, prop] of Object.entries<Json>(schema.properties ?? {})) {
    checkConstraints(prop, values[name], report, [...path, name]);
  }
}

/** rjsf customValidate for a schema with x-constraints, optionally nested under `prefix`. */
export function constraintValidator(schema: Json, prefix: string[] = []) {
  return (formData: any, errors: any) => {
    let data = formData;
    for (const key of prefix) data = data?.[key];
    checkConstraints(schema, data, (path, message) => {
      let node = errors;
      for (const key of [...prefix, ...path]) node = node?.[key];
      node?.addError?.(message);
    });
    return errors;
  };
}

/** Server `[{field, message}]` -> rjsf extraErrors (`{a: {b: {__errors: [...]}}}`). */
export function toErrorSchema(fields: { field: string; message: string }[], prefix: string[] = [], cut: string[] = []): Json {
  const root: Json = {};
  for (const { field, message } of fields) {
    let parts = field ? field.split(".") : [];
    const at = parts.findIndex((p) => cut.includes(p));
    if (at >= 0) parts = parts.slice(0, at + 1);
    let node = root;
    for (const key of [...prefix, ...parts]) node = node[key] ??= {};
    (node.__errors ??= []).push(message);
  }
  return root;
}

/** The properties of a config schema that are timeseries references. */
export function timeseriesFields(schema: Json): string[] {
  const isRef = (s: Json) =>
    s?.$ref === "#/definitions/TimeseriesReference" ||
    (s?.allOf ?? []).some((x: Json) => x.$ref === "#/definitions/TimeseriesReference");
  return Object.entries<Json>(schema.properties ?? {})
    .filter(([, prop]) => isRef(prop))
    .map(([name]) => name);
}

/** Replace timeseries properties by a dropdown of the bundle's references (labels). */
export function withTimeseriesDropdowns(schema: Json, ui: Json, labels: string[]): [Json, Json] {
  const fields = timeseriesFields(schema);
  const properties = { ...schema.properties };
  const uiOut: Json = { ...ui };
  for (const name of fields) {
    const { title, description } = properties[name];
    properties[name] = {
      title: title ?? name,
      description,
      type: "string",
      oneOf: labels.map((label) => ({ const: label, title: label })),
    };
    uiOut[name] = { ...(ui[name] ?? {}), "ui:widget": "select" };
  }
  return [{ ...schema, properties }, uiOut];
}

/** Choices written as `oneOf: [{const, title}]` without a `type` (the bundle's form for a
 * choice with labels) get the type of their constants, which rjsf needs to pick a widget. */
export function withChoiceTypes(schema: any): any {
  if (Array.isArray(schema)) return schema.map(withChoiceTypes);
  if (!schema || typeof schema !== "object") return schema;
  const out: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    out[key] = key === "default" || key === "const" || key === "enum" ? value : withChoiceTypes(value);
  }
  const options = out.oneOf ?? out.anyOf;
  if (out.type === undefined && Array.isArray(options) && options.length && options.every((o: Json) => o && "const" in o)) {
    const kinds = new Set(options.map((o: Json) => (typeof o.const === "number" ? (Number.isInteger(o.const) ? "integer" : "number") : typeof o.const)));
    if (kinds.size === 1) out.type = [...kinds][0];
    else if ([...kinds].every((k) => k === "integer" || k === "number")) out.type = "number";
  }
  return out;
}

/** Drop a uiSchema `ui:help` that repeats the field's own description (rjsf shows both). */
export function withoutRepeatedHelp(schema: Json, ui: Json): Json {
  if (!ui || typeof ui !== "object") return ui;
  const out: Json = { ...ui };
  if (out["ui:help"] !== undefined && out["ui:help"] === schema?.description) delete out["ui:help"];
  for (const [name, prop] of Object.entries<Json>(schema?.properties ?? {})) {
    if (out[name] && typeof out[name] === "object") out[name] = withoutRepeatedHelp(prop, out[name]);
  }
  return out;
}
