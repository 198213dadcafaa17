import { FACETS, type FacetName } from "@/lib/search/types";

/**
 * The catalog page's query string: what it passes to the search service and how its links (facet
 * toggles, pages, clear) are built. Every facet is a comma list of values, as in GET /api/search.
 */

export type CatalogParams = Record<string, string>;

export const PAGE_SIZE = 20;

/** The facets the sidebar shows, in order, with their labels; `status` is left to the registry API. */
export const SIDEBAR_FACETS: { name: FacetName; label: string; limit?: number }[] = [
  { name: "transport", label: "Transport" },
  { name: "packageType", label: "Package type" },
  { name: "category", label: "Category" },
  { name: "tag", label: "Tag", limit: 15 },
  { name: "team", label: "Team" },
  { name: "health", label: "Health" },
  { name: "reviewState", label: "Review state" },
];

const KNOWN = new Set<string>(["q", "sort", "offset", "limit", ...FACETS]);

/** Next's searchParams (string | string[]) as a flat record; repeated facet parameters are joined. */
export function flatParams(sp: Record<string, string | string[] | undefined>): CatalogParams {
  const out: CatalogParams = {};
  for (const [k, v] of Object.entries(sp)) {
    if (v === undefined) continue;
    const values = Array.isArray(v) ? v : [v];
    out[k] = (FACETS as readonly string[]).includes(k) ? values.join(",") : (values.at(-1) ?? "");
  }
  return out;
}

/** Drops empty values so the service sees only what the user set (unknown names stay, to be reported). */
export function searchInput(p: CatalogParams): CatalogParams {
  return Object.fromEntries(Object.entries(p).filter(([k, v]) => v.trim() !== "" || !KNOWN.has(k)));
}

export function selectedValues(p: CatalogParams, facet: FacetName): string[] {
  return (p[facet] ?? "")
    .split(",")
    .map((v) => v.trim())
    .filter(Boolean);
}

export function hrefOf(p: CatalogParams): string {
  const qs = new URLSearchParams(Object.entries(p).filter(([, v]) => v !== "")).toString();
  return qs ? `/?${qs}` : "/";
}

/** The same search with one facet value switched on or off, back on the first page. */
export function toggleHref(p: CatalogParams, facet: FacetName, value: string): string {
  const current = selectedValues(p, facet);
  const next = current.includes(value) ? current.filter((v) => v !== value) : [...current, value];
  const { offset: _offset, ...rest } = p;
  return hrefOf({ ...rest, [facet]: next.join(",") });
}

export function pageHref(p: CatalogParams, offset: number): string {
  return hrefOf({ ...p, offset: offset > 0 ? String(offset) : "" });
}

/** Keeps the text and sort, drops every filter and the page. */
export function clearFiltersHref(p: CatalogParams): string {
  return hrefOf({ q: p.q ?? "", sort: p.sort ?? "" });
}

export function activeFilters(p: CatalogParams): { facet: FacetName; value: string }[] {
  return FACETS.flatMap((facet) => selectedValues(p, facet).map((value) => ({ facet, value })));
}

const LABELS: Record<string, string> = {
  "streamable-http": "Streamable HTTP",
  sse: "SSE",
  stdio: "stdio",
  npm: "npm",
  pypi: "PyPI",
  oci: "OCI (Docker)",
  nuget: "NuGet",
  mcpb: "MCP bundle",
  up: "Up",
  degraded: "Degraded",
  down: "Down",
  auth_required: "Needs auth",
  error: "Error",
  unknown: "Not probed",
  pending: "Pending review",
  approved: "Approved",
  rejected: "Rejected",
  changed: "Changed since approval",
  active: "Active",
  deprecated: "Deprecated",
  deleted: "Deleted",
};

/** A facet value as shown to people (tags, categories and team slugs are shown as they are). */
export function valueLabel(facet: FacetName, value: string): string {
  if (facet === "tag" || facet === "category" || facet === "team") return value;
  return LABELS[value] ?? value;
}
