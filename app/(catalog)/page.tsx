import type { Metadata } from "next";
import Link from "next/link";
import { sessionPrincipal } from "@/lib/auth/session";
import { isAppError } from "@/lib/errors";
import { searchServers, type ServerSearchResponse } from "@/lib/search/service";
import { FACETS } from "@/lib/search/types";
import { activeFilters, clearFiltersHref, flatParams, pageHref, searchInput, toggleHref, valueLabel, type CatalogParams } from "@/lib/ui/catalog-query";
import { FacetSidebar } from "./components/FacetSidebar";
import { ResultCard } from "./components/ResultCard";
import { SearchForm } from "./components/SearchForm";

export const metadata: Metadata = { title: "Catalog" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/** A bad parameter (or reads that need a sign-in) is a message on the page; anything else is a real failure. */
async function search(params: CatalogParams): Promise<{ result?: ServerSearchResponse; error?: string }> {
  try {
    return { result: await searchServers(await sessionPrincipal(), searchInput(params)) };
  } catch (e) {
    if (isAppError(e) && e.status < 500) return { error: e.code === "unauthenticated" ? "Sign in to see the catalog." : e.message };
    throw e;
  }
}

export default async function CatalogPage({ searchParams }: { searchParams: SearchParams }) {
  const params = flatParams(await searchParams);
  const { result, error } = await search(params);
  const q = params.q?.trim() ?? "";
  const sort = result?.query.sort ?? params.sort ?? (q ? "relevance" : "name");
  const hidden = Object.fromEntries(Object.entries(params).filter(([k, v]) => (FACETS as readonly string[]).includes(k) || (k === "limit" && /^\d{1,3}$/.test(v))));
  const filters = activeFilters(params);

  return (
    <section aria-labelledby="catalog-title" className="space-y-4">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 id="catalog-title" className="text-2xl font-semibold">
          Catalog
        </h1>
        {result && (
          <a href="#filters" className="text-sm text-blue-700 underline lg:hidden dark:text-blue-400">
            Filters{filters.length ? ` (${filters.length} active)` : ""}
          </a>
        )}
      </div>
      <SearchForm q={q} sort={sort} hidden={hidden} error={error} />
      {filters.length > 0 && (
        <ul aria-label="Active filters" className="flex flex-wrap gap-2 text-sm">
          {filters.map(({ facet, value }) => (
            <li key={`${facet}:${value}`}>
              <Link
                href={toggleHref(params, facet, value)}
                scroll={false}
                className="inline-flex items-center gap-1 rounded-full border border-blue-300 bg-blue-50 px-2 py-0.5 text-blue-900 hover:bg-blue-100 dark:border-blue-800 dark:bg-blue-950 dark:text-blue-200"
              >
                {facet}: {valueLabel(facet, value)}
                <span aria-hidden="true">×</span>
                <span className="sr-only">(remove)</span>
              </Link>
            </li>
          ))}
          <li>
            <Link href={clearFiltersHref(params)} className="text-blue-700 underline dark:text-blue-400">
              Clear filters
            </Link>
          </li>
        </ul>
      )}
      {error && (
        <p className="text-sm">
          <Link href="/" className="text-blue-700 underline dark:text-blue-400">
            Show every server
          </Link>
        </p>
      )}
      {result && <Results params={params} q={q} result={result} filtered={filters.length > 0} />}
    </section>
  );
}

function Results({ params, q, result, filtered }: { params: CatalogParams; q: string; result: ServerSearchResponse; filtered: boolean }) {
  const { total, offset, limit, servers } = result;
  const first = total ? offset + 1 : 0;
  const last = offset + servers.length;
  return (
    <div className="flex flex-col gap-6 lg:grid lg:grid-cols-[15rem_minmax(0,1fr)]">
      <div className="order-last lg:order-first">
        <FacetSidebar params={params} facets={result.facets} />
      </div>
      <div className="min-w-0 space-y-3">
        <p role="status" className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="result-total" data-total={total}>
          {total === 0 ? "No results" : `${first}–${last} of ${total} ${total === 1 ? "server" : "servers"}`}
          {q && ` for “${q}”`}
        </p>
        {servers.length === 0 ? (
          <Empty params={params} q={q} filtered={filtered} total={total} />
        ) : (
          <ul className="space-y-3">
            {servers.map((hit) => (
              <li key={hit.id}>
                <ResultCard hit={hit} />
              </li>
            ))}
          </ul>
        )}
        {(offset > 0 || last < total) && (
          <nav aria-label="Pagination" className="flex items-center justify-between gap-2 pt-2 text-sm">
            {offset > 0 ? (
              <Link href={pageHref(params, Math.max(0, offset - limit))} rel="prev" className="rounded border border-zinc-300 px-3 py-1 hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800">
                ← Previous
              </Link>
            ) : (
              <span />
            )}
            <span className="text-zinc-500">
              Page {Math.floor(offset / limit) + 1} of {Math.max(1, Math.ceil(total / limit))}
            </span>
            {last < total ? (
              <Link href={pageHref(params, offset + limit)} rel="next" className="rounded border border-zinc-300 px-3 py-1 hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800">
                Next →
              </Link>
            ) : (
              <span />
            )}
          </nav>
        )}
      </div>
    </div>
  );
}

function Empty({ params, q, filtered, total }: { params: CatalogParams; q: string; filtered: boolean; total: number }) {
  if (!q && !filtered && total === 0 && !params.offset) {
    return (
      <div className="rounded border border-dashed border-zinc-300 p-8 text-center dark:border-zinc-700">
        <p className="font-medium">No servers in the catalog yet.</p>
        <p className="mt-1 text-sm text-zinc-500">
          Publish one with <code>POST /v0.1/publish</code> or import a catalog with <code>npx toolshed import</code>.
        </p>
      </div>
    );
  }
  const what = [q && `“${q}”`, filtered && "the selected filters"].filter(Boolean).join(" and ");
  return (
    <div className="rounded border border-dashed border-zinc-300 p-8 text-center dark:border-zinc-700" data-testid="empty-state">
      <p className="font-medium">No servers match {what || "this page"}.</p>
      <p className="mt-2 text-sm">
        {filtered && (
          <Link href={clearFiltersHref(params)} className="text-blue-700 underline dark:text-blue-400">
            Clear filters
          </Link>
        )}
        {filtered && q && <span className="text-zinc-500"> · </span>}
        {(q || params.offset) && (
          <Link href="/" className="text-blue-700 underline dark:text-blue-400">
            Clear search
          </Link>
        )}
      </p>
    </div>
  );
}
