import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { cache, type ReactNode } from "react";
import { Markdown } from "@/components/Markdown";
import { HealthBadge } from "@/components/HealthBadge";
import { accessSettingsIfManager, ifManager } from "@/lib/access/access-settings";
import { sessionPrincipal } from "@/lib/auth/session";
import { loadServerDetail } from "@/lib/catalog/detail";
import { gatewaySettingsIfManager } from "@/lib/gateway/settings";
import { getProbeCredentialNames } from "@/lib/probing/credentials";
import { installOptions, type InstallableServer } from "@/lib/ui/install";
import { nameFromSegments } from "@/lib/ui/server-href";
import { AccessSettings } from "../../components/access/AccessSettings";
import { Connection, VersionsTable, reviewLabel } from "../../components/Connection";
import { PromptsAndResources, ToolList } from "../../components/Definitions";
import { DriftHistory } from "../../components/DriftHistory";
import { GatewaySettings } from "../../components/GatewaySettings";
import { Credentials } from "../../components/gateway/Credentials";
import { HealthPanel } from "../../components/HealthPanel";
import { InstallPanel } from "../../components/InstallPanel";
import { ProbeNow } from "../../components/ProbeNow";

type Params = Promise<{ name: string[] }>;

/** One load per request, shared by the metadata and the page; unknown and invisible servers alike are a 404. */
const detailOf = cache(async (segments: string[]) => {
  const name = nameFromSegments(segments);
  return name ? loadServerDetail(await sessionPrincipal(), name) : null;
});

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const d = await detailOf((await params).name);
  return { title: d ? (d.title ?? d.name) : "Server not found" };
}

function Section({ id, title, children, count }: { id: string; title: string; children: ReactNode; count?: number }) {
  return (
    <section id={id} aria-labelledby={`${id}-title`} className="scroll-mt-4 space-y-3">
      <h2 id={`${id}-title`} className="text-lg font-semibold">
        {title}
        {count !== undefined && <span className="ml-2 text-sm font-normal text-zinc-500">({count})</span>}
      </h2>
      {children}
    </section>
  );
}

const NAV = [
  ["install", "Install"],
  ["tools", "Tools"],
  ["prompts-resources", "Prompts & resources"],
  ["health", "Health"],
  ["drift", "Drift"],
  ["versions", "Versions"],
  ["connection", "Remotes & packages"],
] as const;

export default async function ServerPage({ params }: { params: Params }) {
  const d = await detailOf((await params).name);
  if (!d) notFound();
  const now = new Date();
  // Only those who may manage the server get its probe controls, access and gateway settings (null for everyone else).
  const principal = await sessionPrincipal();
  const [probing, access, gateway] = await Promise.all([
    ifManager(principal, () => getProbeCredentialNames(principal, d.name)),
    accessSettingsIfManager(principal, d.name),
    gatewaySettingsIfManager(principal, d.name),
  ]);
  const nav = [...NAV, ...(access ? [["access", "Access"] as const] : []), ...(gateway ? [["gateway", "Gateway"] as const] : [])];
  const options = installOptions(d.servedJson as unknown as InstallableServer, { gateway: d.gateway });
  const repo = (d.serverJson.repository as { url?: string } | undefined)?.url;
  const website = typeof d.serverJson.websiteUrl === "string" ? d.serverJson.websiteUrl : undefined;
  const links = [website && { href: website, label: "Website" }, repo && { href: repo, label: "Repository" }].filter(
    (l): l is { href: string; label: string } => Boolean(l && /^https?:\/\//.test(l.href)),
  );

  return (
    <article aria-labelledby="server-title" className="space-y-8">
      <header className="space-y-2">
        <nav aria-label="Breadcrumb" className="text-sm">
          <Link href="/" className="text-blue-700 underline dark:text-blue-400">
            Catalog
          </Link>
          <span aria-hidden="true" className="text-zinc-400"> / </span>
          <span className="text-zinc-500">{d.title ?? d.name}</span>
        </nav>
        <div className="flex flex-wrap items-center gap-3">
          <h1 id="server-title" className="text-2xl font-semibold">
            {d.title ?? d.name}
          </h1>
          <HealthBadge health={d.health.status} />
        </div>
        <p className="font-mono text-sm break-all text-zinc-500" data-testid="server-name">
          {d.name} · {d.latestVersion}
        </p>
        {d.description && <p className="text-zinc-700 dark:text-zinc-300">{d.description}</p>}
        <dl className="flex flex-wrap gap-x-6 gap-y-1 text-sm">
          <div className="flex gap-1">
            <dt className="text-zinc-500">Owner team:</dt>
            <dd data-testid="owner-team">{d.ownerTeam ? `${d.ownerTeam.name} (${d.ownerTeam.slug})` : "none"}</dd>
          </div>
          <div className="flex gap-1">
            <dt className="text-zinc-500">Review:</dt>
            <dd>{reviewLabel(d.reviewState)}</dd>
          </div>
          <div className="flex gap-1">
            <dt className="text-zinc-500">Visibility:</dt>
            <dd data-testid="server-visibility">{d.visibility}</dd>
          </div>
          <div className="flex gap-1">
            <dt className="text-zinc-500">Status:</dt>
            <dd>{d.status}</dd>
          </div>
          {links.map((l) => (
            <div key={l.label}>
              <a href={l.href} rel="noopener noreferrer nofollow" className="text-blue-700 underline dark:text-blue-400">
                {l.label}
              </a>
            </div>
          ))}
        </dl>
        {d.changedSinceApproval && (
          <p role="note" className="rounded border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200">
            The tools this server lists now differ from the set that was approved. See <a href="#drift" className="underline">Drift</a>.
          </p>
        )}
        <nav aria-label="On this page" className="flex flex-wrap gap-x-3 gap-y-1 pt-1 text-sm">
          {nav.map(([id, label]) => (
            <a key={id} href={`#${id}`} className="text-blue-700 underline dark:text-blue-400">
              {label}
            </a>
          ))}
        </nav>
      </header>

      {d.longDescription && d.longDescription !== d.description && (
        <Section id="about" title="About">
          <Markdown source={d.longDescription} className="max-w-3xl text-sm leading-relaxed text-zinc-800 dark:text-zinc-200" />
        </Section>
      )}
      <Section id="install" title="Install">
        <InstallPanel options={options} />
      </Section>
      <Section id="tools" title="Tools" count={d.tools.length}>
        {d.tools.length ? (
          <ToolList tools={d.tools} />
        ) : (
          <p className="text-sm text-zinc-500">{d.health.lastProbedAt ? "The last successful probe listed no tools." : "Tools appear here after the first successful probe."}</p>
        )}
      </Section>
      <Section id="prompts-resources" title="Prompts & resources">
        <PromptsAndResources prompts={d.prompts} resources={d.resources} />
      </Section>
      <Section id="health" title="Health">
        <HealthPanel detail={d} now={now} />
        {probing && (
          <div className="space-y-4 pt-2">
            <ProbeNow server={d.name} />
            <Credentials
              url={`/api/servers/${encodeURIComponent(d.name)}/probe-credentials`}
              initial={probing}
              title="Probe credentials"
              description="Headers and URL {variables} the prober needs to reach a remote that wants an API key or a tenant. Stored encrypted; values are never shown again."
              subject="Probe credentials"
              kinds={["headers", "variables"]}
            />
          </div>
        )}
      </Section>
      <Section id="drift" title="Drift history" count={d.drift.length}>
        <DriftHistory events={d.drift} />
      </Section>
      <Section id="versions" title="Versions" count={d.versions.length}>
        <VersionsTable versions={d.versions} />
      </Section>
      <Section id="connection" title="Remotes & packages">
        <Connection serverJson={d.servedJson} />
      </Section>
      {access && (
        <Section id="access" title="Access">
          <AccessSettings initial={access} tools={d.tools.map((t) => t.name)} />
        </Section>
      )}
      {gateway && (
        <Section id="gateway" title="Gateway">
          <GatewaySettings
            initial={gateway}
            tools={d.tools.map((t) => t.name)}
            approved={d.versions.some((v) => v.reviewState === "approved" || v.reviewState === "changed")}
            isAdmin={principal.kind !== "anonymous" && principal.role === "ADMIN"}
          />
        </Section>
      )}
    </article>
  );
}
