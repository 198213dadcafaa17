import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { listAudit } from "@/lib/audit/query";
import { sessionPrincipal } from "@/lib/auth/session";
import type { AuditItem, AuditPage as AuditResult } from "@/lib/contracts/audit-api";
import { AppError } from "@/lib/errors";
import { AuditFilters, type FilterName, type FilterValues } from "./AuditFilters";
import { summarize, targetLabel, type SummaryLine } from "./summary";

export const metadata: Metadata = { title: "Audit" };

const FILTERS: FilterName[] = ["action", "actor", "targetType", "targetId", "since", "until"];
type Search = Record<string, string | string[] | undefined>;

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
const utc = (iso: string) => `${iso.slice(0, 19).replace("T", " ")} UTC`;
const json = (v: unknown) => JSON.stringify(v, null, 2);

/** The link to another page of the same filters. */
function pageHref(values: FilterValues, cursor?: string) {
  const q = new URLSearchParams();
  for (const f of FILTERS) if (values[f]) q.set(f, values[f]!);
  if (cursor) q.set("cursor", cursor);
  const qs = q.toString();
  return qs ? `/audit?${qs}` : "/audit";
}

function Summary({ lines, more }: { lines: SummaryLine[]; more: number }) {
  if (lines.length === 0) return <span className="text-zinc-500 dark:text-zinc-400">no change recorded</span>;
  return (
    <ul className="space-y-0.5">
      {lines.map((l) => (
        <li key={l.key} className="break-words">
          <span className="font-mono text-xs text-zinc-500 dark:text-zinc-400">{l.key}:</span>{" "}
          {l.kind === "same" && <span className="text-zinc-600 dark:text-zinc-400">{l.value}</span>}
          {l.kind === "added" && <span>{l.value}</span>}
          {l.kind === "removed" && (
            <del className="text-red-800 dark:text-red-300">
              <span className="sr-only">removed </span>
              {l.value}
            </del>
          )}
          {l.kind === "changed" && (
            <>
              <span className="text-red-800 line-through dark:text-red-300">{l.before}</span> → <span className="font-medium text-green-800 dark:text-green-300">{l.after}</span>
            </>
          )}
        </li>
      ))}
      {more > 0 && <li className="text-xs text-zinc-500 dark:text-zinc-400">and {more} more</li>}
    </ul>
  );
}

/** Cell classes: a table from sm up; below it every row is a card with the column name before each value. */
const cell = "block py-1 align-top before:mr-1 before:font-medium before:text-zinc-500 before:content-[attr(data-label)] sm:table-cell sm:py-2 sm:pr-4 sm:before:content-none dark:before:text-zinc-400";

function EventRow({ e }: { e: AuditItem }) {
  const label = targetLabel(e.target.type, e.after, e.detail);
  const { lines, more } = summarize(e.before, e.after);
  return (
    <tr className="block border-b border-zinc-200 py-2 sm:table-row sm:py-0 dark:border-zinc-800" data-testid="audit-event" data-action={e.action}>
      <td className={`${cell} whitespace-nowrap`} data-label="Time">
        <time dateTime={e.at}>{utc(e.at)}</time>
      </td>
      <td className={`${cell} break-words`} data-label="Actor">
        {e.actor.label}
      </td>
      <td className={cell} data-label="Action">
        <code className="text-xs">{e.action}</code>
      </td>
      <td className={`${cell} break-words`} data-label="Target">
        {e.target.type}
        {label && <span className="font-medium"> {label}</span>}
        {e.target.id && (
          <span className="block max-w-48 truncate font-mono text-xs text-zinc-500 dark:text-zinc-400" title={e.target.id}>
            {e.target.id}
          </span>
        )}
      </td>
      <td className={`${cell} min-w-0 text-sm sm:min-w-64`} data-label="Change">
        <Summary lines={lines} more={more} />
        <details className="mt-1">
          <summary className="cursor-pointer text-xs text-blue-700 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-blue-600 dark:text-blue-400">
            JSON<span className="sr-only"> of {e.action} at {utc(e.at)}</span>
          </summary>
          <pre className="mt-1 max-h-80 overflow-auto rounded bg-zinc-100 p-2 text-xs whitespace-pre-wrap break-all dark:bg-zinc-900" data-testid="audit-json">
            {json({ before: e.before, after: e.after, detail: e.detail })}
          </pre>
        </details>
      </td>
    </tr>
  );
}

export default async function AuditPage({ searchParams }: { searchParams: Promise<Search> }) {
  const p = await sessionPrincipal();
  if (p.kind !== "user") redirect("/signin?callbackUrl=/audit");
  if (p.role !== "ADMIN") return <p role="alert">Only org admins can read the audit trail.</p>;

  const sp = await searchParams;
  const values: FilterValues = {};
  for (const f of FILTERS) {
    const v = first(sp[f]);
    if (v !== undefined && v !== "") values[f] = v;
  }
  const cursor = first(sp.cursor) || undefined;

  let result: AuditResult | null = null;
  const fieldErrors: Partial<Record<FilterName, string>> = {};
  let general: string | null = null;
  try {
    result = await listAudit(p, { ...values, ...(cursor ? { cursor } : {}) });
  } catch (e) {
    if (!(e instanceof AppError) || e.status >= 500) throw e;
    for (const fe of e.errors ?? []) {
      const name = fe.pointer.slice(1) as FilterName;
      if (FILTERS.includes(name)) {
        // A date-time input cannot show text that is not a date, so the message quotes what was sent.
        const bad = (name === "since" || name === "until") && values[name] && Number.isNaN(new Date(values[name]!).getTime());
        fieldErrors[name] = bad ? `${fe.message} (got "${values[name]}")` : fe.message;
      } else general = fe.pointer === "/cursor" ? "This page link is no longer valid; start again from the newest events." : fe.message;
    }
    if (!e.errors?.length) general = e.message;
  }

  const filtered = FILTERS.some((f) => values[f]);
  return (
    <section className="space-y-4" aria-labelledby="audit-title">
      <div>
        <h1 id="audit-title" className="text-2xl font-semibold">
          Audit trail
        </h1>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">Who changed what, newest first. Times are in UTC.</p>
      </div>
      <AuditFilters values={values} errors={fieldErrors} />
      {general && (
        <p role="alert" className="rounded border border-red-300 bg-red-50 p-3 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-300">
          {general}{" "}
          <Link href={pageHref(values)} className="underline">
            Newest events
          </Link>
        </p>
      )}
      {Object.keys(fieldErrors).length > 0 && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          Fix the marked filters to see events.
        </p>
      )}
      {result &&
        (result.events.length === 0 ? (
          <p className="rounded border border-dashed border-zinc-300 p-6 text-center dark:border-zinc-700">
            {filtered ? "No events match these filters." : cursor ? "No older events." : "Nothing has been recorded yet."}
          </p>
        ) : (
          <>
            <table className="block w-full text-left text-sm sm:table">
              <caption id="audit-count" className="block pb-2 text-left text-sm text-zinc-600 sm:table-caption dark:text-zinc-400">
                {result.metadata.count} {result.metadata.count === 1 ? "event" : "events"}
                {cursor ? " (older page)" : ""}
                {filtered ? " matching the filters" : ""}
              </caption>
              <thead className="max-sm:sr-only border-b border-zinc-200 dark:border-zinc-800">
                <tr>
                  <th scope="col" className="py-2 pr-4">
                    Time
                  </th>
                  <th scope="col" className="py-2 pr-4">
                    Actor
                  </th>
                  <th scope="col" className="py-2 pr-4">
                    Action
                  </th>
                  <th scope="col" className="py-2 pr-4">
                    Target
                  </th>
                  <th scope="col" className="py-2 pr-4">
                    Before → after
                  </th>
                </tr>
              </thead>
              <tbody className="block sm:table-row-group">
                {result.events.map((e) => (
                  <EventRow key={e.id} e={e} />
                ))}
              </tbody>
            </table>
            <nav aria-label="Audit pages" className="flex flex-wrap gap-3 text-sm">
              {cursor && (
                <Link href={pageHref(values)} className="rounded border border-zinc-300 px-3 py-1 hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-blue-600 dark:border-zinc-700 dark:hover:bg-zinc-800">
                  Newest
                </Link>
              )}
              {result.metadata.nextCursor && (
                <Link
                  href={pageHref(values, result.metadata.nextCursor)}
                  className="rounded border border-zinc-300 px-3 py-1 hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-blue-600 dark:border-zinc-700 dark:hover:bg-zinc-800"
                >
                  Older
                </Link>
              )}
            </nav>
          </>
        ))}
    </section>
  );
}
