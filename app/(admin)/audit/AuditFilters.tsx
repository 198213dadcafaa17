"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useSyncExternalStore, type FormEvent } from "react";

export type FilterName = "action" | "actor" | "targetType" | "targetId" | "since" | "until";
export type FilterValues = Partial<Record<FilterName, string>>;

const TEXT_FIELDS: { name: FilterName; label: string; hint?: string; placeholder?: string }[] = [
  { name: "action", label: "Action", hint: "Exact, or a prefix ending in *", placeholder: "team.*" },
  { name: "actor", label: "Actor", hint: "Email or label", placeholder: "admin@example.com" },
  { name: "targetType", label: "Target type", placeholder: "team" },
  { name: "targetId", label: "Target ID" },
];
const TIME_FIELDS: { name: "since" | "until"; label: string }[] = [
  { name: "since", label: "Since" },
  { name: "until", label: "Until" },
];

const inputCls =
  "w-full rounded border bg-white px-3 py-2 text-sm dark:bg-zinc-900 aria-[invalid=true]:border-red-700 dark:aria-[invalid=true]:border-red-400 border-zinc-300 dark:border-zinc-700";

const pad = (n: number) => String(n).padStart(2, "0");

/** RFC 3339 → the value of a datetime-local input, in the browser's time zone ("" when not a date). */
function toLocalInput(iso: string | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A datetime-local value (the browser's time zone) → RFC 3339 in UTC. */
function toRfc3339(local: string): string {
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? local : d.toISOString().replace(/\.000Z$/, "Z");
}

const noSubscribe = () => () => {};

/**
 * The audit filters. A plain GET form to /audit; with JavaScript the date-times are converted from the
 * browser's local time to RFC 3339 and empty fields are left out of the address.
 */
export function AuditFilters({ values, errors }: { values: FilterValues; errors: Partial<Record<FilterName, string>> }) {
  const router = useRouter();
  // Local times depend on the browser's time zone, so the date-time inputs are filled in the browser only.
  const inBrowser = useSyncExternalStore(noSubscribe, () => true, () => false);
  const zone = inBrowser ? Intl.DateTimeFormat().resolvedOptions().timeZone : null;

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const q = new URLSearchParams();
    for (const { name } of TEXT_FIELDS) {
      const v = String(form.get(name) ?? "").trim();
      if (v) q.set(name, v);
    }
    for (const { name } of TIME_FIELDS) {
      const v = String(form.get(`${name}-local`) ?? "");
      if (v) q.set(name, toRfc3339(v));
    }
    const qs = q.toString();
    router.push(qs ? `/audit?${qs}` : "/audit");
  }

  const describedBy = (name: FilterName, hint: boolean) => [hint ? `audit-${name}-hint` : "", errors[name] ? `audit-${name}-error` : ""].filter(Boolean).join(" ") || undefined;
  const errorText = (name: FilterName) =>
    errors[name] && (
      <p id={`audit-${name}-error`} className="mt-1 text-sm text-red-700 dark:text-red-400" data-testid={`audit-${name}-error`}>
        {errors[name]}
      </p>
    );

  return (
    <form
      key={JSON.stringify(values)}
      action="/audit"
      method="get"
      onSubmit={submit}
      noValidate
      aria-label="Filter the audit trail"
      className="grid gap-3 rounded border border-zinc-200 p-4 sm:grid-cols-2 lg:grid-cols-3 dark:border-zinc-800"
    >
      {TEXT_FIELDS.map((f) => (
        <div key={f.name} className="min-w-0">
          <label htmlFor={`audit-${f.name}`} className="mb-1 block text-sm font-medium">
            {f.label}
          </label>
          <input
            id={`audit-${f.name}`}
            name={f.name}
            defaultValue={values[f.name] ?? ""}
            placeholder={f.placeholder}
            autoComplete="off"
            spellCheck={false}
            aria-invalid={Boolean(errors[f.name])}
            aria-describedby={describedBy(f.name, Boolean(f.hint))}
            className={inputCls}
          />
          {f.hint && (
            <p id={`audit-${f.name}-hint`} className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">
              {f.hint}
            </p>
          )}
          {errorText(f.name)}
        </div>
      ))}
      {TIME_FIELDS.map((f) => (
        <div key={f.name} className="min-w-0">
          <label htmlFor={`audit-${f.name}`} className="mb-1 block text-sm font-medium">
            {f.label}
          </label>
          <input
            key={inBrowser ? "browser" : "server"}
            id={`audit-${f.name}`}
            name={`${f.name}-local`}
            type="datetime-local"
            step={1}
            defaultValue={inBrowser ? toLocalInput(values[f.name]) : ""}
            aria-invalid={Boolean(errors[f.name])}
            aria-describedby={describedBy(f.name, true)}
            className={inputCls}
          />
          <p id={`audit-${f.name}-hint`} className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">
            Your local time{zone ? ` (${zone})` : ""}
          </p>
          {errorText(f.name)}
        </div>
      ))}
      <div className="flex flex-wrap items-end gap-3 sm:col-span-2 lg:col-span-3">
        <button type="submit" className="rounded bg-blue-700 px-3 py-2 text-sm font-medium text-white hover:bg-blue-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600">
          Filter
        </button>
        <Link href="/audit" className="rounded px-2 py-2 text-sm underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-blue-600">
          Clear filters
        </Link>
      </div>
    </form>
  );
}
