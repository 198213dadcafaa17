import { z } from "zod";
import { AppError, type FieldError } from "../errors";
import { FACETS, SORTS, type FacetName, type Filters, type SearchSort } from "../search/types";

/**
 * Query strings of GET /api/search and GET /api/search/tools. Every facet name is also a filter
 * parameter taking a comma list of values (ORed; different facets are ANDed), e.g.
 * `?q=jira&transport=streamable-http,sse&health=up`.
 */

export const MAX_QUERY_LENGTH = 500;
export const MAX_OFFSET = 10_000;
const MAX_VALUES = 20;
const MAX_VALUE_LENGTH = 100;

export interface SearchParams {
  q: string;
  sort: SearchSort;
  offset: number;
  limit: number;
  filters: Filters;
  facets: FacetName[];
}

const whole = (name: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `expected a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().min(min, `expected a whole number from ${min} to ${max}`).max(max, `expected a whole number from ${min} to ${max}`))
    .describe(name);

const base = {
  q: z.string().max(MAX_QUERY_LENGTH, `at most ${MAX_QUERY_LENGTH} characters`).optional(),
  offset: whole("offset", 0, MAX_OFFSET).optional(),
  limit: whole("limit", 1, 100).optional(),
};

const serverParams = z.object({
  ...base,
  sort: z.enum(SORTS, { message: `expected one of ${SORTS.join(", ")}` }).optional(),
  facets: z.string().max(500).optional(),
});
const toolParams = z.object(base);

const isFacet = (s: string): s is FacetName => (FACETS as readonly string[]).includes(s);
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Splits the filter parameters off; anything that is neither a known parameter nor a facet is an error. */
function filtersOf(params: Record<string, string>, known: string[]): { rest: Record<string, string>; filters: Filters; errors: FieldError[] } {
  const rest: Record<string, string> = {};
  const filters: Filters = {};
  const errors: FieldError[] = [];
  for (const [key, raw] of Object.entries(params)) {
    if (known.includes(key)) {
      rest[key] = raw;
      continue;
    }
    if (!isFacet(key)) {
      errors.push({ pointer: key, message: `unknown parameter; filters are ${FACETS.join(", ")}` });
      continue;
    }
    const values = [...new Set(raw.split(",").map((v) => v.trim()).filter(Boolean))];
    if (values.length > MAX_VALUES) errors.push({ pointer: key, message: `at most ${MAX_VALUES} values` });
    else if (values.some((v) => v.length > MAX_VALUE_LENGTH || CONTROL.test(v))) errors.push({ pointer: key, message: `values are at most ${MAX_VALUE_LENGTH} printable characters` });
    else if (values.length) filters[key] = values;
  }
  return { rest, filters, errors };
}

function fail(errors: FieldError[]): never {
  throw new AppError("validation_failed", `Invalid search: ${errors.map((e) => `${e.pointer}: ${e.message}`).join("; ")}`, { errors });
}

function parsed<T>(schema: z.ZodType<T>, rest: Record<string, string>, errors: FieldError[]): T {
  const r = schema.safeParse(rest);
  if (!r.success) errors.push(...r.error.issues.map((i) => ({ pointer: String(i.path[0] ?? "query"), message: i.message })));
  if (errors.length || !r.success) fail(errors);
  return r.data;
}

/** The free text: trimmed, NUL-free (Postgres text cannot hold it). */
const text = (q: string | undefined) => (q ?? "").trim();

export function parseServerSearch(params: Record<string, string>): SearchParams {
  const { rest, filters, errors } = filtersOf(params, ["q", "sort", "offset", "limit", "facets"]);
  const p = parsed(serverParams, rest, errors);
  let facets: FacetName[] = [...FACETS];
  if (p.facets !== undefined) {
    const names = p.facets.split(",").map((f) => f.trim()).filter(Boolean);
    const unknown = names.filter((n) => !isFacet(n) && n !== "none");
    if (unknown.length) fail([{ pointer: "facets", message: `unknown facet ${unknown.join(", ")}; facets are ${FACETS.join(", ")} (or none)` }]);
    facets = names.filter(isFacet);
  }
  const q = text(p.q);
  if (CONTROL.test(q)) fail([{ pointer: "q", message: "must not contain control characters" }]);
  return { q, sort: p.sort ?? (q ? "relevance" : "name"), offset: p.offset ?? 0, limit: p.limit ?? 20, filters, facets };
}

export function parseToolSearch(params: Record<string, string>): Omit<SearchParams, "sort" | "facets"> {
  const { rest, filters, errors } = filtersOf(params, ["q", "offset", "limit"]);
  const p = parsed(toolParams, rest, errors);
  const q = text(p.q);
  if (CONTROL.test(q)) fail([{ pointer: "q", message: "must not contain control characters" }]);
  return { q, offset: p.offset ?? 0, limit: p.limit ?? 20, filters };
}
