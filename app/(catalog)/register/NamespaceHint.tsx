"use client";
import { claimMatches } from "@/lib/access/publishing";
import type { MyNamespaces } from "@/lib/catalog/namespaces";
import type { PublishCheck } from "./api";

export type Namespaces = MyNamespaces;

/** Which namespaces the user's teams claim, and whether the typed name falls under one. */
export function NamespaceHint({ namespaces, name, permission }: { namespaces: Namespaces; name: string; permission: PublishCheck["permission"] }) {
  const publishing = namespaces.teams.filter((t) => t.canPublish && t.claims.length);
  const covering = publishing
    .flatMap((t) => t.claims.filter((c) => name.includes("/") && claimMatches(c, name)).map((prefix) => ({ team: t.slug, prefix })))
    .sort((a, b) => b.prefix.length - a.prefix.length)[0];
  // The last answer for this very name (a check for other fields of the entry may be pending).
  const verdict = permission?.name === name ? permission : null;
  return (
    <div className="mt-2 space-y-1 rounded bg-zinc-50 p-2 text-xs dark:bg-zinc-900" data-testid="namespace-hint">
      <p>
        {namespaces.isAdmin ? "As an org admin you may publish under any namespace. " : ""}
        {publishing.length ? (
          <>
            Your teams claim{" "}
            {publishing.map((t, i) => (
              <span key={t.slug}>
                {i > 0 && "; "}
                {t.claims.map((c) => (
                  <code key={c} className="mr-1">
                    {c}
                  </code>
                ))}
                ({t.slug}, {t.role})
              </span>
            ))}
            .
          </>
        ) : namespaces.isAdmin ? (
          "None of your teams claims a namespace, so what you publish has no owning team unless a team claims its namespace."
        ) : (
          "None of your teams (as owner or maintainer) claims a namespace yet: ask an org admin to grant your team one, such as com.acme/*."
        )}
      </p>
      {name.includes("/") && (
        <p data-testid="namespace-verdict">
          {covering ? (
            <span className="text-green-800 dark:text-green-300">
              ✓ <code>{name}</code> falls under <code>{covering.prefix}</code> ({covering.team}).
            </span>
          ) : (
            <span>
              <code>{name}</code> falls under none of your teams’ claims.
            </span>
          )}{" "}
          {verdict && (verdict.allowed ? (
            <span>
              You may publish it{verdict.exists ? " (a new version of an existing server)" : ""}
              {verdict.ownerTeam ? `; owned by ${verdict.ownerTeam}` : "; it will have no owning team"}.
            </span>
          ) : (
            <span className="text-red-700 dark:text-red-400">You may not publish it.</span>
          ))}
        </p>
      )}
    </div>
  );
}
