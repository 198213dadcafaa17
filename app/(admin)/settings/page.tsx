import type { Metadata } from "next";
import type { ReactNode } from "react";
import { redirect } from "next/navigation";
import { CopyButton } from "@/app/(catalog)/components/CopyButton";
import { sessionPrincipal } from "@/lib/auth/session";
import { env } from "@/lib/env";

export const metadata: Metadata = { title: "Settings" };

/** A setting that is on or off, shown as a switch that cannot be flipped here (configuration is environment-only). */
function ReadOnlySwitch({ id, label, on, envVar, children }: { id: string; label: string; on: boolean; envVar: string; children: ReactNode }) {
  return (
    <div className="flex items-start justify-between gap-4 py-3" data-testid={`setting-${envVar}`}>
      <div className="min-w-0">
        <p id={`${id}-label`} className="font-medium">
          {label}
        </p>
        <p id={`${id}-desc`} className="text-sm text-zinc-600 dark:text-zinc-400">
          {children} Change it with <code>{envVar}=</code>
          <code>{on ? "false" : "true"}</code> and a restart.
        </p>
      </div>
      <button
        type="button"
        role="switch"
        aria-checked={on}
        aria-readonly="true"
        aria-disabled="true"
        aria-labelledby={`${id}-label`}
        aria-describedby={`${id}-desc`}
        className={`relative mt-1 inline-flex h-6 w-11 shrink-0 cursor-not-allowed items-center rounded-full opacity-80 ${on ? "bg-blue-600" : "bg-zinc-300 dark:bg-zinc-700"}`}
      >
        <span aria-hidden="true" className={`inline-block h-5 w-5 rounded-full bg-white shadow transition ${on ? "translate-x-5" : "translate-x-0.5"}`} />
        <span className="sr-only">{on ? "on" : "off"}</span>
      </button>
    </div>
  );
}

function Row({ label, value, envVar }: { label: string; value: ReactNode; envVar: string }) {
  return (
    <div className="grid gap-1 py-2 sm:grid-cols-[14rem_minmax(0,1fr)_auto] sm:items-baseline sm:gap-4">
      <dt className="font-medium">{label}</dt>
      <dd className="break-words">{value}</dd>
      <dd className="text-xs text-zinc-500">
        <code>{envVar}</code>
      </dd>
    </div>
  );
}

const box = "rounded border border-zinc-200 p-4 dark:border-zinc-800";

export default async function SettingsPage() {
  const p = await sessionPrincipal();
  if (p.kind !== "user") redirect("/signin?callbackUrl=/settings");
  if (p.role !== "ADMIN") return <p role="alert">Only org admins can open the settings.</p>;
  const e = env();
  const seconds = (n: number) => (n % 3600 === 0 ? `${n / 3600} h` : n % 60 === 0 ? `${n / 60} min` : `${n} s`);
  return (
    <section aria-labelledby="settings-title" className="space-y-6">
      <div>
        <h1 id="settings-title" className="text-2xl font-semibold">
          Settings
        </h1>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">Toolshed is configured through environment variables only; this page shows the values in effect. Change them where Toolshed is started and restart it.</p>
      </div>

      <section aria-labelledby="vscode-title" className={`${box} space-y-3`}>
        <h2 id="vscode-title" className="text-lg font-semibold">
          Point VS Code at Toolshed
        </h2>
        <div>
          <p id="service-url-label" className="text-sm font-medium">
            Gallery service URL
          </p>
          <div className="mt-1 flex items-center gap-2">
            <code className="min-w-0 flex-1 rounded bg-zinc-100 px-2 py-1.5 break-all dark:bg-zinc-900" data-testid="service-url">
              {e.publicUrl}
            </code>
            <CopyButton text={e.publicUrl} label="gallery service URL" />
          </div>
        </div>
        <ol className="list-decimal space-y-1 pl-5 text-sm">
          <li>
            For one machine: open VS Code settings (JSON) and set <code>&quot;chat.mcp.gallery.serviceUrl&quot;: &quot;{e.publicUrl}&quot;</code>.
          </li>
          <li>
            For the organisation: set the enterprise policy <code>McpGalleryServiceUrl</code> to the same URL (Group Policy, a configuration profile on macOS, or the Linux
            policy JSON), so every VS Code uses it and users cannot change it.
          </li>
          <li>
            The URL has no version: VS Code adds <code>/v0.1/servers</code> itself. It reads anonymously, so keep anonymous read on. GitHub Copilot&apos;s registry setting takes the same URL.
          </li>
        </ol>
        <p className="text-xs text-zinc-500">
          The URL is <code>TOOLSHED_URL</code> (default <code>http://localhost:$PORT</code>); set it to the address users reach.
        </p>
      </section>

      <section aria-labelledby="access-title" className={box}>
        <h2 id="access-title" className="text-lg font-semibold">
          Registry access
        </h2>
        <div className="divide-y divide-zinc-200 dark:divide-zinc-800">
          <ReadOnlySwitch id="anon" label="Anonymous read" on={e.TOOLSHED_ANONYMOUS_READ} envVar="TOOLSHED_ANONYMOUS_READ">
            {e.TOOLSHED_ANONYMOUS_READ ? "Reads without a token see org-public entries (what IDE galleries need)." : "Every registry read needs a token with registry:read; IDE galleries will not work."}
          </ReadOnlySwitch>
          <ReadOnlySwitch id="unapproved" label="Serve unapproved versions" on={e.TOOLSHED_SERVE_UNAPPROVED} envVar="TOOLSHED_SERVE_UNAPPROVED">
            {e.TOOLSHED_SERVE_UNAPPROVED ? "The registry API serves every version, reviewed or not." : "The registry API serves only approved versions to IDEs."}
          </ReadOnlySwitch>
        </div>
        <dl className="divide-y divide-zinc-200 text-sm dark:divide-zinc-800">
          <Row label="Reviewers team" value={<code>{e.TOOLSHED_REVIEWERS_TEAM}</code>} envVar="TOOLSHED_REVIEWERS_TEAM" />
          <Row
            label="Allowed networks"
            value={e.TOOLSHED_ALLOWED_NETWORKS.length ? e.TOOLSHED_ALLOWED_NETWORKS.map((c) => c.text).join(", ") : "none (remotes must be public https)"}
            envVar="TOOLSHED_ALLOWED_NETWORKS"
          />
        </dl>
      </section>

      <section aria-labelledby="search-title" className={box}>
        <h2 id="search-title" className="text-lg font-semibold">
          Search
        </h2>
        <dl className="divide-y divide-zinc-200 text-sm dark:divide-zinc-800">
          <Row label="Backend" value={<span data-testid="search-backend">{e.MEILI_URL ? "Meilisearch" : "Postgres"}</span>} envVar="MEILI_URL" />
          {e.MEILI_URL && <Row label="Meilisearch URL" value={<code>{e.MEILI_URL}</code>} envVar="MEILI_URL" />}
          {e.MEILI_URL && <Row label="Index prefix" value={<code>{e.MEILI_INDEX_PREFIX}</code>} envVar="MEILI_INDEX_PREFIX" />}
        </dl>
      </section>

      <section aria-labelledby="probe-title" className={box}>
        <h2 id="probe-title" className="text-lg font-semibold">
          Probing
        </h2>
        <dl className="divide-y divide-zinc-200 text-sm dark:divide-zinc-800">
          <Row label="Worker in this process" value={e.TOOLSHED_WORKER ? "yes" : "no"} envVar="TOOLSHED_WORKER" />
          <Row label="Interval" value={`every ${seconds(e.TOOLSHED_PROBE_INTERVAL_SEC)} (±10 %, backing off on failures)`} envVar="TOOLSHED_PROBE_INTERVAL_SEC" />
          <Row label="Timeout" value={`${e.TOOLSHED_PROBE_TIMEOUT_MS} ms`} envVar="TOOLSHED_PROBE_TIMEOUT_MS" />
          <Row label="Concurrency" value={`${e.TOOLSHED_PROBE_CONCURRENCY} at a time`} envVar="TOOLSHED_PROBE_CONCURRENCY" />
          <Row label="Start rate" value={`${e.TOOLSHED_PROBE_RATE} servers a second at most`} envVar="TOOLSHED_PROBE_RATE" />
          <Row label="History kept" value={`${e.TOOLSHED_PROBE_RETENTION_DAYS} days`} envVar="TOOLSHED_PROBE_RETENTION_DAYS" />
        </dl>
      </section>
    </section>
  );
}
