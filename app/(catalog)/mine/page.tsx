import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { Chip, HealthBadge } from "@/components/HealthBadge";
import { sessionPrincipal } from "@/lib/auth/session";
import { loadMyServers, type MyServer } from "@/lib/catalog/mine";
import { loadMyNamespaces, type MyNamespaces } from "@/lib/catalog/namespaces";
import { serverHref } from "@/lib/ui/server-href";

export const metadata: Metadata = { title: "My servers" };

const REVIEW: Record<string, { label: string; cls: string }> = {
  pending: { label: "Waiting for review", cls: "bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-300" },
  approved: { label: "Approved", cls: "bg-green-100 text-green-800 dark:bg-green-950 dark:text-green-300" },
  rejected: { label: "Rejected", cls: "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300" },
  changed: { label: "Changed since approval", cls: "bg-sky-100 text-sky-900 dark:bg-sky-950 dark:text-sky-300" },
};

const when = (iso: string | null) => (iso ? `${iso.slice(0, 16).replace("T", " ")} UTC` : "never");

function ReviewBadge({ state }: { state: string | null }) {
  const s = REVIEW[state ?? ""] ?? { label: "No versions", cls: "bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300" };
  return (
    <span className={`inline-block rounded-full px-2 py-0.5 text-xs font-medium ${s.cls}`}>
      <span className="sr-only">Review: </span>
      {s.label}
    </span>
  );
}

function ServerCard({ s }: { s: MyServer }) {
  const headingId = `mine-${s.name.replace(/[^A-Za-z0-9]+/g, "-")}`;
  return (
    <article aria-labelledby={headingId} className="rounded border border-zinc-200 p-4 dark:border-zinc-800" data-testid="my-server" data-name={s.name}>
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0">
          <h2 id={headingId} className="text-lg font-semibold">
            <Link href={serverHref(s.name)} className="hover:underline focus-visible:outline-2 focus-visible:outline-blue-600">
              {s.title ?? s.name}
            </Link>
          </h2>
          <p className="font-mono text-xs break-all text-zinc-500">{s.name}</p>
        </div>
        <div className="flex flex-wrap items-center gap-2">
          <ReviewBadge state={s.reviewState} />
          <HealthBadge health={s.health} />
        </div>
      </div>
      {s.description && <p className="mt-2 text-sm text-zinc-700 dark:text-zinc-300">{s.description}</p>}
      <dl className="mt-3 grid grid-cols-2 gap-x-4 gap-y-1 text-sm sm:grid-cols-4">
        <div>
          <dt className="text-xs text-zinc-500">Latest version</dt>
          <dd className="font-mono break-all" data-testid="latest-version">
            {s.latestVersion ?? "—"}
            {s.versionCount > 1 && <span className="font-sans text-xs text-zinc-500"> ({s.versionCount} versions)</span>}
          </dd>
        </div>
        <div>
          <dt className="text-xs text-zinc-500">Tools</dt>
          <dd data-testid="tool-count">{s.toolCount ?? "not probed"}</dd>
        </div>
        <div>
          <dt className="text-xs text-zinc-500">Last probed</dt>
          <dd>{when(s.lastProbedAt)}</dd>
        </div>
        <div>
          <dt className="text-xs text-zinc-500">Owner</dt>
          <dd>
            {s.ownerTeam ?? "no team"}
            {s.via.role && <span className="text-xs text-zinc-500"> (you: {s.via.role})</span>}
            {!s.via.role && s.via.creator && <span className="text-xs text-zinc-500"> (you created it)</span>}
          </dd>
        </div>
      </dl>
      <div className="mt-3 flex flex-wrap items-center gap-3 text-sm">
        <Link href={serverHref(s.name)} className="text-blue-700 underline dark:text-blue-400">
          Server page<span className="sr-only"> of {s.name}</span>
        </Link>
        {s.canPublish && (
          <Link href={`/register?from=${encodeURIComponent(s.name)}`} className="text-blue-700 underline dark:text-blue-400" data-testid="new-version-link">
            New version<span className="sr-only"> of {s.name}</span>
          </Link>
        )}
        {s.status !== "active" && <Chip>{s.status}</Chip>}
        {s.visibility !== "org" && <Chip>{s.visibility === "team" ? "team only" : "private"}</Chip>}
      </div>
    </article>
  );
}

function Empty({ ns }: { ns: MyNamespaces }) {
  const claims = ns.teams.filter((t) => t.canPublish).flatMap((t) => t.claims.map((c) => `${c} (${t.slug})`));
  return (
    <div className="space-y-2 rounded border border-dashed border-zinc-300 p-6 text-sm dark:border-zinc-700" data-testid="mine-empty">
      <p className="text-base font-medium">You have no servers yet.</p>
      <p>
        Servers you register, and those owned by your teams, are listed here. To publish, one of your teams (where you are an owner or maintainer) needs a
        namespace claim such as <code>com.acme/*</code>: ask an org admin to grant it with <code>POST /api/teams/&#123;slug&#125;/claims</code>.
      </p>
      <p className="text-zinc-600 dark:text-zinc-400">
        {ns.isAdmin
          ? "As an org admin you may publish under any namespace."
          : claims.length
            ? `Your teams claim: ${claims.join(", ")}.`
            : ns.teams.length
              ? `You are in ${ns.teams.map((t) => `${t.slug} (${t.role})`).join(", ")}, but none of them lets you publish under a claim yet.`
              : "You are not in any team yet."}
      </p>
      <Link href="/register" className="inline-block rounded bg-blue-600 px-4 py-2 font-medium text-white hover:bg-blue-700">
        Register a server
      </Link>
    </div>
  );
}

export default async function MyServersPage() {
  const p = await sessionPrincipal();
  if (p.kind !== "user") redirect("/signin?callbackUrl=/mine");
  const [servers, ns] = await Promise.all([loadMyServers(p), loadMyNamespaces(p)]);
  return (
    <section aria-labelledby="mine-title" className="space-y-4">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 id="mine-title" className="text-2xl font-semibold">
          My servers
        </h1>
        <Link href="/register" className="text-sm text-blue-700 underline dark:text-blue-400">
          Register a server
        </Link>
      </div>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">Servers owned by your teams and the ones you created, with the state of their latest version.</p>
      {servers.length === 0 ? (
        <Empty ns={ns} />
      ) : (
        <ul className="space-y-3">
          {servers.map((s) => (
            <li key={s.name}>
              <ServerCard s={s} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
