import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { sessionPrincipal } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { listReviewQueue } from "@/lib/review/service";
import { serverHref } from "@/lib/ui/server-href";
import { ReviewActions } from "./ReviewActions";

export const metadata: Metadata = { title: "Reviews" };

const STATES = [
  ["pending,changed", "Waiting"],
  ["rejected", "Rejected"],
  ["approved", "Approved"],
] as const;

interface Change {
  kind: string;
  name: string;
  fields: { field: string; before: unknown; after: unknown }[];
}
interface Diff {
  added: { kind: string; name: string }[];
  removed: { kind: string; name: string }[];
  changed: Change[];
}

const text = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v, null, 2));

function DriftDiff({ diff }: { diff: Diff }) {
  return (
    <div className="space-y-2 text-sm">
      {diff.added.length > 0 && <p>Added: {diff.added.map((d) => `${d.kind.toLowerCase()} ${d.name}`).join(", ")}</p>}
      {diff.removed.length > 0 && <p>Removed: {diff.removed.map((d) => `${d.kind.toLowerCase()} ${d.name}`).join(", ")}</p>}
      {diff.changed.map((c) => (
        <table key={`${c.kind}:${c.name}`} className="w-full table-fixed border border-zinc-200 text-left dark:border-zinc-800">
          <caption className="py-1 text-left font-medium">
            {c.kind.toLowerCase()} <code>{c.name}</code>
          </caption>
          <thead>
            <tr className="bg-zinc-50 dark:bg-zinc-900">
              <th className="w-32 p-2">Field</th>
              <th className="p-2">Approved</th>
              <th className="p-2">Seen now</th>
            </tr>
          </thead>
          <tbody>
            {c.fields.map((f) => (
              <tr key={f.field} className="border-t border-zinc-200 align-top dark:border-zinc-800">
                <td className="p-2 font-mono text-xs">{f.field}</td>
                <td className="p-2 whitespace-pre-wrap break-words">{text(f.before)}</td>
                <td className="p-2 whitespace-pre-wrap break-words">{text(f.after)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
    </div>
  );
}

export default async function ReviewsPage({ searchParams }: { searchParams: Promise<{ state?: string }> }) {
  const p = await sessionPrincipal();
  if (p.kind !== "user") redirect("/signin?callbackUrl=/reviews");
  const { state = "pending,changed" } = await searchParams;
  let queue: Awaited<ReturnType<typeof listReviewQueue>>;
  try {
    queue = await listReviewQueue(p, { state, limit: "100" });
  } catch (e) {
    if (e instanceof AppError && e.status < 500) return <p role="alert">{e.message}</p>;
    throw e;
  }
  return (
    <section className="space-y-4" aria-labelledby="reviews-title">
      <h1 id="reviews-title" className="text-2xl font-semibold">
        Reviews
      </h1>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        New versions published by team members wait here until a reviewer approves them; IDEs get only approved versions. A version whose tools changed since
        approval is back here with the change.
      </p>
      <nav aria-label="Review states" className="flex gap-2 text-sm">
        {STATES.map(([value, label]) => (
          <Link key={value} href={`/reviews?state=${value}`} aria-current={state === value ? "page" : undefined} className={`rounded border px-3 py-1 ${state === value ? "border-blue-600 font-medium" : "border-zinc-300 dark:border-zinc-700"}`}>
            {label}
          </Link>
        ))}
      </nav>
      {queue.versions.length === 0 ? (
        <p className="rounded border border-dashed border-zinc-300 p-6 text-center dark:border-zinc-700">Nothing to review.</p>
      ) : (
        <ul className="space-y-4">
          {queue.versions.map((v) => (
            <li key={`${v.server}@${v.version}`} className="space-y-2 rounded border border-zinc-200 p-4 dark:border-zinc-800" data-testid="review-item">
              <div className="flex flex-wrap items-baseline gap-x-3">
                <Link href={serverHref(v.server)} className="font-medium underline-offset-2 hover:underline">
                  {v.title ?? v.server}
                </Link>
                <span className="font-mono text-xs text-zinc-500">
                  {v.server} · {v.version}
                </span>
                <span className="rounded bg-zinc-100 px-2 py-0.5 text-xs dark:bg-zinc-800">{v.state}</span>
              </div>
              <p className="text-sm text-zinc-600 dark:text-zinc-400">
                Published {v.publishedAt.slice(0, 16).replace("T", " ")} by {v.publishedBy ?? "unknown"}
                {v.ownerTeam ? ` for team ${v.ownerTeam}` : ""} · {v.toolCount === null ? "not probed yet" : `${v.toolCount} tools seen by the prober`}
              </p>
              {v.drift ? <DriftDiff diff={v.drift as Diff} /> : null}
              <ReviewActions server={v.server} version={v.version} state={v.state} ownVersion={v.publishedBy === p.email} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
