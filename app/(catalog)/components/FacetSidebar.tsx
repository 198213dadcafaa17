import Link from "next/link";
import type { FacetCount, FacetName } from "@/lib/search/types";
import { SIDEBAR_FACETS, selectedValues, toggleHref, valueLabel, type CatalogParams } from "@/lib/ui/catalog-query";

const OPEN_BY_DEFAULT = new Set<FacetName>(["transport", "packageType", "health", "reviewState"]);

/** Facet values with counts as links that switch the filter on or off (checkbox look, link semantics). */
export function FacetSidebar({ params, facets }: { params: CatalogParams; facets: Partial<Record<FacetName, FacetCount[]>> }) {
  return (
    <nav id="filters" aria-label="Filters" className="space-y-3 text-sm">
      <h2 className="text-base font-semibold">Filters</h2>
      {SIDEBAR_FACETS.map(({ name, label, limit }) => {
        const selected = selectedValues(params, name);
        const counts = [...(facets[name] ?? [])];
        // A selected value stays visible (with its count, or 0) so it can be switched off again.
        for (const v of selected) if (!counts.some((c) => c.value === v)) counts.push({ value: v, count: 0 });
        const shown = limit ? counts.filter((c, i) => i < limit || selected.includes(c.value)) : counts;
        if (!shown.length) return null;
        return (
          <details key={name} open={OPEN_BY_DEFAULT.has(name) || selected.length > 0} className="group rounded border border-zinc-200 dark:border-zinc-800" data-facet={name}>
            <summary className="cursor-pointer px-3 py-2 font-medium select-none focus-visible:outline-2 focus-visible:outline-blue-600">
              {label}
              {selected.length > 0 && <span className="ml-1 text-xs text-blue-700 dark:text-blue-400">({selected.length} selected)</span>}
            </summary>
            <ul className="space-y-0.5 px-2 pb-2">
              {shown.map(({ value, count }) => {
                const on = selected.includes(value);
                return (
                  <li key={value}>
                    <Link
                      href={toggleHref(params, name, value)}
                      scroll={false}
                      data-value={value}
                      data-count={count}
                      className={`flex items-center gap-2 rounded px-1 py-1 hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-blue-600 dark:hover:bg-zinc-800 ${on ? "font-medium" : ""}`}
                    >
                      <span
                        aria-hidden="true"
                        className={`inline-flex h-4 w-4 shrink-0 items-center justify-center rounded border text-[10px] ${on ? "border-blue-600 bg-blue-600 text-white" : "border-zinc-400 dark:border-zinc-600"}`}
                      >
                        {on ? "✓" : ""}
                      </span>
                      <span className="min-w-0 flex-1 truncate">
                        {valueLabel(name, value)}
                        <span className="sr-only">{on ? " (selected, remove filter)" : ""}</span>
                      </span>
                      <span className="text-xs text-zinc-500 tabular-nums" aria-label={`${count} servers`}>
                        {count}
                      </span>
                    </Link>
                  </li>
                );
              })}
            </ul>
          </details>
        );
      })}
    </nav>
  );
}
