/** A tool's parameters as rows for people, read from its JSON Schema `inputSchema`. */
export interface ParamRow {
  /** Dotted path for nested object properties: `filter.status`. */
  name: string;
  type: string;
  required: boolean;
  description: string | null;
  enumValues: string[];
  defaultValue: string | null;
  depth: number;
}

type Schema = Record<string, unknown>;

const isObj = (v: unknown): v is Schema => typeof v === "object" && v !== null && !Array.isArray(v);
const show = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));

/** "string", "integer | null", "array of string", "object", "enum" … from type/anyOf/oneOf/items/const. */
export function typeLabel(s: Schema, depth = 0): string {
  if (depth > 3) return "any";
  const t = s.type;
  if (Array.isArray(t)) return t.map(String).join(" | ");
  if (t === "array") return isObj(s.items) ? `array of ${typeLabel(s.items, depth + 1)}` : "array";
  if (typeof t === "string") return t;
  const alts = (Array.isArray(s.anyOf) ? s.anyOf : Array.isArray(s.oneOf) ? s.oneOf : null) as unknown[] | null;
  if (alts) return [...new Set(alts.filter(isObj).map((a) => typeLabel(a, depth + 1)))].join(" | ") || "any";
  if ("const" in s) return `const ${show(s.const)}`;
  if (Array.isArray(s.enum)) return "enum";
  if (isObj(s.properties)) return "object";
  return "any";
}

function enumOf(s: Schema): string[] {
  if (Array.isArray(s.enum)) return s.enum.map(show);
  if (isObj(s.items) && Array.isArray(s.items.enum)) return s.items.enum.map(show);
  const alts = (Array.isArray(s.anyOf) ? s.anyOf : Array.isArray(s.oneOf) ? s.oneOf : []) as unknown[];
  const consts = alts.filter(isObj).filter((a) => "const" in a);
  return consts.length === alts.length ? consts.map((a) => show(a.const)) : [];
}

const MAX_ROWS = 200;

/** Rows for every property (nested objects one level per depth, up to 3 levels), required first as declared. */
export function paramRows(inputSchema: unknown): ParamRow[] {
  const rows: ParamRow[] = [];
  const walk = (schema: Schema, prefix: string, depth: number) => {
    if (!isObj(schema.properties) || depth > 2) return;
    const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
    for (const [key, raw] of Object.entries(schema.properties)) {
      if (rows.length >= MAX_ROWS) return;
      const prop = isObj(raw) ? raw : {};
      rows.push({
        name: prefix + key,
        type: typeLabel(prop),
        required: required.has(key),
        description: typeof prop.description === "string" ? prop.description : typeof prop.title === "string" ? prop.title : null,
        enumValues: enumOf(prop),
        defaultValue: prop.default === undefined ? null : show(prop.default),
        depth,
      });
      if (isObj(prop.properties)) walk(prop, `${prefix}${key}.`, depth + 1);
      else if (isObj(prop.items) && isObj(prop.items.properties)) walk(prop.items, `${prefix}${key}[].`, depth + 1);
    }
  };
  if (isObj(inputSchema)) walk(inputSchema, "", 0);
  return rows;
}
