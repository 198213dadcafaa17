"use client";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useTransition, type FormEvent } from "react";

const DEBOUNCE_MS = 300;
const inputCls = "rounded border border-zinc-300 bg-white px-3 py-2 dark:border-zinc-700 dark:bg-zinc-900";

/** The catalog query string from the form's fields (empty ones dropped), back on the first page. */
function hrefOf(form: HTMLFormElement): string {
  const params = new URLSearchParams();
  for (const [k, v] of new FormData(form)) if (typeof v === "string" && v.trim() !== "") params.append(k, v);
  const qs = params.toString();
  return qs ? `/?${qs}` : "/";
}

/**
 * A plain GET form (works without JavaScript); with it, typing and changing the sort update the URL
 * after a pause, and the server renders the results for the new URL.
 */
export function SearchForm({ q, sort, hidden, error }: { q: string; sort: string; hidden: Record<string, string>; error?: string }) {
  const router = useRouter();
  const form = useRef<HTMLFormElement>(null);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const [pending, startTransition] = useTransition();

  useEffect(() => () => clearTimeout(timer.current), []);

  const go = () => {
    clearTimeout(timer.current);
    if (!form.current) return;
    const href = hrefOf(form.current);
    startTransition(() => router.replace(href, { scroll: false }));
  };
  const later = () => {
    clearTimeout(timer.current);
    timer.current = setTimeout(go, DEBOUNCE_MS);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    go();
  };

  return (
    <form ref={form} role="search" action="/" method="get" onSubmit={submit} className="space-y-2" aria-busy={pending}>
      <div className="flex flex-wrap items-end gap-2">
        <div className="min-w-0 flex-1 basis-64">
          <label htmlFor="catalog-q" className="mb-1 block text-sm font-medium">
            Search servers and tools
          </label>
          <input
            id="catalog-q"
            name="q"
            type="search"
            defaultValue={q}
            onChange={later}
            placeholder="e.g. jira tickets, weather, postgres"
            autoComplete="off"
            maxLength={500}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? "catalog-search-error" : undefined}
            className={`${inputCls} w-full`}
          />
        </div>
        <div>
          <label htmlFor="catalog-sort" className="mb-1 block text-sm font-medium">
            Sort by
          </label>
          <select id="catalog-sort" name="sort" defaultValue={sort} onChange={go} className={inputCls}>
            <option value="relevance">Relevance</option>
            <option value="name">Name</option>
            <option value="updated">Recently updated</option>
          </select>
        </div>
        {Object.entries(hidden).map(([k, v]) => (
          <input key={k} type="hidden" name={k} value={v} />
        ))}
        <button type="submit" className="rounded bg-blue-600 px-3 py-2 text-sm font-medium text-white hover:bg-blue-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600">
          Search
        </button>
      </div>
      {error && (
        <p id="catalog-search-error" role="alert" className="rounded border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-300">
          {error}
        </p>
      )}
    </form>
  );
}
