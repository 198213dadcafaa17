import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { listMembers, type MemberView } from "@/lib/access/memberships";
import { listTeams } from "@/lib/access/teams";
import { sessionPrincipal } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { AddClaimForm } from "./AddClaimForm";
import { AddMemberForm } from "./AddMemberForm";
import { MemberTable } from "./MemberTable";

type Params = { params: Promise<{ slug: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  return { title: `Team ${(await params).slug}` };
}

const box = "space-y-3 rounded border border-zinc-200 p-4 dark:border-zinc-800";

export default async function TeamPage({ params }: Params) {
  const slug = (await params).slug;
  const p = await sessionPrincipal();
  if (p.kind !== "user") redirect(`/signin?callbackUrl=${encodeURIComponent(`/teams/${slug}`)}`);
  const team = (await listTeams(p)).find((t) => t.slug === slug);
  const back = (
    <Link href="/teams" className="text-sm underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-blue-600">
      ← All teams
    </Link>
  );
  if (!team)
    return (
      <section className="space-y-3">
        {back}
        <p role="alert">There is no team {slug}.</p>
      </section>
    );

  let members: MemberView[] | null = null;
  try {
    members = (await listMembers(p, slug)).members;
  } catch (e) {
    if (!(e instanceof AppError) || e.code !== "forbidden") throw e;
  }
  const isAdmin = p.role === "ADMIN";
  const mine = members?.find((m) => m.email.toLowerCase() === p.email.toLowerCase());
  const canManage = isAdmin || mine?.role === "owner";

  return (
    <section className="space-y-6" aria-labelledby="team-title">
      <div className="space-y-1">
        {back}
        <h1 id="team-title" className="flex flex-wrap items-baseline gap-x-3 text-2xl font-semibold">
          {team.name} <span className="font-mono text-sm font-normal text-zinc-500 dark:text-zinc-400">{team.slug}</span>
        </h1>
        {team.description && <p className="break-words text-zinc-700 dark:text-zinc-300">{team.description}</p>}
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          {mine ? `You are ${mine.role === "owner" ? "an owner" : `a ${mine.role}`} of this team.` : "You are not a member of this team."}
          {team.oidcGroup && (
            <>
              {" "}
              Members of the OIDC group <code>{team.oidcGroup}</code> join it at sign-in.
            </>
          )}
        </p>
      </div>

      <section aria-labelledby="claims-title" className={box}>
        <h2 id="claims-title" className="text-lg font-semibold">
          Namespaces
        </h2>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">Owners and maintainers publish servers whose names fall under these claims.</p>
        {team.namespaceClaims.length === 0 ? (
          <p className="text-sm text-zinc-500 dark:text-zinc-400" data-testid="claims">
            No namespaces claimed yet.
          </p>
        ) : (
          <ul className="flex flex-wrap gap-2" data-testid="claims">
            {team.namespaceClaims.map((c) => (
              <li key={c.prefix}>
                <code className="rounded bg-zinc-100 px-2 py-1 text-sm break-all dark:bg-zinc-800">{c.prefix}</code>
              </li>
            ))}
          </ul>
        )}
        {isAdmin && <AddClaimForm slug={team.slug} />}
      </section>

      <section aria-labelledby="members-title" className={box}>
        <h2 id="members-title" className="text-lg font-semibold">
          Members
        </h2>
        {members === null ? (
          <p role="alert" className="text-sm">
            Only members of {team.slug} and org admins can see its members.
          </p>
        ) : (
          <>
            {canManage && (
              <p className="text-sm text-zinc-600 dark:text-zinc-400">
                Owners manage members; maintainers publish; viewers see team-only servers. A team keeps at least one owner.
              </p>
            )}
            <MemberTable slug={team.slug} members={members} canManage={canManage} />
            {canManage && <AddMemberForm slug={team.slug} />}
          </>
        )}
      </section>
    </section>
  );
}
