import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { listTeams } from "@/lib/access/teams";
import { sessionPrincipal } from "@/lib/auth/session";
import { loadMyNamespaces } from "@/lib/catalog/namespaces";
import { CreateTeamForm } from "./CreateTeamForm";

export const metadata: Metadata = { title: "Teams" };

const ROLE_BADGE: Record<string, string> = {
  owner: "bg-blue-100 text-blue-900 dark:bg-blue-950 dark:text-blue-200",
  maintainer: "bg-green-100 text-green-900 dark:bg-green-950 dark:text-green-200",
  viewer: "bg-zinc-100 text-zinc-800 dark:bg-zinc-800 dark:text-zinc-200",
};

export default async function TeamsPage() {
  const p = await sessionPrincipal();
  if (p.kind !== "user") redirect("/signin?callbackUrl=/teams");
  const [teams, mine] = await Promise.all([listTeams(p), loadMyNamespaces(p)]);
  const roleOf = new Map(mine.teams.map((t) => [t.slug, t.role]));
  const isAdmin = p.role === "ADMIN";
  return (
    <section className="space-y-6" aria-labelledby="teams-title">
      <div>
        <h1 id="teams-title" className="text-2xl font-semibold">
          Teams
        </h1>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          Teams own servers and publish under the namespaces they claim. Owners manage a team&apos;s members; org admins create teams and grant namespaces.
        </p>
      </div>
      {isAdmin && <CreateTeamForm />}
      {teams.length === 0 ? (
        <p className="rounded border border-dashed border-zinc-300 p-6 text-center dark:border-zinc-700">
          {isAdmin ? "No teams yet: create the first one above." : "No teams yet. Ask an org admin to create one."}
        </p>
      ) : (
        <ul className="grid gap-3 md:grid-cols-2" aria-label="Teams">
          {teams.map((t) => {
            const role = roleOf.get(t.slug);
            return (
              <li key={t.slug} className="min-w-0 space-y-2 rounded border border-zinc-200 p-4 dark:border-zinc-800" data-testid="team-card">
                <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
                  <h2 className="text-base font-semibold">
                    <Link href={`/teams/${encodeURIComponent(t.slug)}`} className="underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-blue-600">
                      {t.name}
                    </Link>
                  </h2>
                  <span className="font-mono text-xs text-zinc-500 dark:text-zinc-400">{t.slug}</span>
                  <span className={`ml-auto rounded px-2 py-0.5 text-xs ${role ? ROLE_BADGE[role] : "text-zinc-500 dark:text-zinc-400"}`} data-testid="my-role">
                    {role ? `you: ${role}` : "not a member"}
                  </span>
                </div>
                {t.description && <p className="text-sm break-words text-zinc-700 dark:text-zinc-300">{t.description}</p>}
                <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-3 gap-y-1 text-sm">
                  <dt className="text-zinc-500 dark:text-zinc-400">Namespaces</dt>
                  <dd className="flex flex-wrap gap-1">
                    {t.namespaceClaims.length === 0 ? (
                      <span className="text-zinc-500 dark:text-zinc-400">none</span>
                    ) : (
                      t.namespaceClaims.map((c) => (
                        <code key={c.prefix} className="rounded bg-zinc-100 px-1.5 py-0.5 text-xs break-all dark:bg-zinc-800">
                          {c.prefix}
                        </code>
                      ))
                    )}
                  </dd>
                  <dt className="text-zinc-500 dark:text-zinc-400">Members</dt>
                  <dd>{t._count.memberships}</dd>
                  {t.oidcGroup && (
                    <>
                      <dt className="text-zinc-500 dark:text-zinc-400">OIDC group</dt>
                      <dd className="break-all font-mono text-xs">{t.oidcGroup}</dd>
                    </>
                  )}
                </dl>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
