import type { Metadata } from "next";
import Link from "next/link";
import { sessionPrincipal } from "@/lib/auth/session";
import { loadServerDetail } from "@/lib/catalog/detail";
import { loadMyNamespaces } from "@/lib/catalog/namespaces";
import { env } from "@/lib/env";
import { gatewaySettingsIfManager } from "@/lib/gateway/settings";
import { serverHref } from "@/lib/ui/server-href";
import { RegisterClient } from "./RegisterClient";

export const metadata: Metadata = { title: "Register a server" };

function ApiHelp() {
  return (
    <details className="rounded border border-zinc-200 p-3 text-sm dark:border-zinc-800">
      <summary className="cursor-pointer font-medium">Publishing from CI or the command line</summary>
      <p className="mt-2 text-zinc-600 dark:text-zinc-400">
        Send the same server.json with a <Link href="/tokens" className="text-blue-700 underline dark:text-blue-400">token</Link> that has the <code>registry:publish</code> scope:
      </p>
      <pre className="mt-2 overflow-x-auto rounded bg-zinc-100 p-3 text-xs dark:bg-zinc-900">
        {`curl -X POST -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \\
     --data @server.json ${env().publicUrl}/v0.1/publish`}
      </pre>
    </details>
  );
}

export default async function RegisterPage({ searchParams }: { searchParams: Promise<{ from?: string | string[] }> }) {
  const p = await sessionPrincipal();
  if (p.kind === "anonymous") {
    return (
      <section aria-labelledby="register-title" className="space-y-4">
        <h1 id="register-title" className="text-2xl font-semibold">
          Register a server
        </h1>
        <div className="rounded border border-dashed border-zinc-300 p-6 dark:border-zinc-700" data-testid="signin-prompt">
          <p className="font-medium">Sign in to register a server.</p>
          <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
            Servers are published under a namespace that one of your teams claims (for example <code>com.acme/*</code>); an org admin grants the claims.
          </p>
          <Link href="/signin?callbackUrl=/register" className="mt-3 inline-block rounded bg-blue-600 px-4 py-2 text-sm font-medium text-white hover:bg-blue-700">
            Sign in
          </Link>
        </div>
        <ApiHelp />
      </section>
    );
  }

  const from = [(await searchParams).from].flat()[0]?.trim();
  const [namespaces, source, managed] = await Promise.all([loadMyNamespaces(p), from ? loadServerDetail(p, from) : Promise.resolve(null), from ? gatewaySettingsIfManager(p, from) : Promise.resolve(null)]);
  // Only the server's managers see the published remotes, which may be the gateway's private upstream.
  const prefill = source ? (managed ? source.serverJson : source.servedJson) : null;

  return (
    <section aria-labelledby="register-title" className="space-y-4">
      <h1 id="register-title" className="text-2xl font-semibold break-words">
        {source ? <>New version of {source.title ?? source.name}</> : "Register a server"}
      </h1>
      {source ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="prefill-note">
          Prefilled from <Link href={serverHref(source.name)} className="font-mono text-blue-700 underline dark:text-blue-400">{source.name}</Link> {source.latestVersion} (
          {source.reviewState}). Enter the new version number; published versions never change.
        </p>
      ) : from ? (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          Server <code>{from}</code> was not found (or you may not see it); starting from an empty form.
        </p>
      ) : (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          Describe your MCP server with the form or paste its server.json. {p.role === "ADMIN" ? "As an org admin, what you publish is approved at once." : "A reviewer approves it before IDEs see it."}
        </p>
      )}
      <RegisterClient key={source?.name ?? "new"} namespaces={namespaces} prefill={prefill} />
      <ApiHelp />
    </section>
  );
}
