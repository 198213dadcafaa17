import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { sessionPrincipal } from "@/lib/auth/session";
import { listTokens } from "@/lib/auth/tokens";
import { SCOPES } from "@/lib/auth/scopes";
import { TokenManager } from "./TokenManager";

export const metadata: Metadata = { title: "API tokens" };

export default async function TokensPage() {
  const p = await sessionPrincipal();
  if (p.kind !== "user") redirect("/signin?callbackUrl=/tokens");
  const tokens = await listTokens(p.userId);
  return (
    <section className="space-y-4">
      <h1 className="text-2xl font-semibold">API tokens</h1>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        Tokens let IDEs, CI jobs and agents act as you. Send them as <code>Authorization: Bearer &lt;token&gt;</code>.
      </p>
      <TokenManager
        scopes={[...SCOPES]}
        tokens={tokens.map((t) => ({
          ...t,
          createdAt: t.createdAt.toISOString(),
          expiresAt: t.expiresAt?.toISOString() ?? null,
          lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
          revokedAt: t.revokedAt?.toISOString() ?? null,
        }))}
      />
    </section>
  );
}
