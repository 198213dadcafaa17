import { readScopeOf } from "../access/scope";
import { canSeeVersion, seesUnapproved } from "../access/visibility";
import type { Principal } from "../auth/principal";
import { db } from "../db/client";
import { env } from "../env";
import { gatewayUrlOf, servedServerJson, transportFromDb, type GatewayTransport } from "../gateway/gateway-url";
import type { DriftDiff } from "../probing/drift";
import type { DefinitionKind } from "../probing/fingerprint";

/**
 * Everything the server detail page shows, loaded in three round trips: the server with its versions
 * and teams, then (with the latest version known) one SQL statement for the current tool set's
 * definitions, the last 30 days of probes and the drift history. Framework-free; visibility and the
 * review rule are decided here (lib/access/visibility.ts), as the registry API decides them: a caller
 * sees only approved versions unless they may see the others, and a server with none they may see is
 * answered exactly like an unknown one (null).
 */

export interface VersionSummary {
  version: string;
  status: "active" | "deprecated" | "deleted";
  statusMessage: string | null;
  reviewState: "pending" | "approved" | "rejected" | "changed";
  isLatest: boolean;
  publishedAt: string;
}

export interface Definition {
  kind: DefinitionKind;
  name: string;
  definition: Record<string, unknown>;
}

export interface ProbePoint {
  outcome: "UP" | "DEGRADED" | "DOWN" | "AUTH_REQUIRED" | "ERROR";
  totalMs: number | null;
  startedAt: string;
}

export interface DriftEntry {
  id: string;
  version: string;
  detectedAt: string;
  acknowledgedAt: string | null;
  diff: DriftDiff;
}

export interface ServerDetail {
  id: string;
  name: string;
  title: string | null;
  description: string | null;
  longDescription: string | null;
  status: "active" | "deprecated" | "deleted";
  visibility: "org" | "team" | "private";
  reviewState: VersionSummary["reviewState"];
  changedSinceApproval: boolean;
  ownerTeam: { slug: string; name: string } | null;
  /** The latest version's server.json as published (may name a private upstream: for its owners' forms only). */
  serverJson: Record<string, unknown>;
  /** The server.json as the registry serves it: with the gateway on, the gateway remote replaces the published ones. */
  servedJson: Record<string, unknown>;
  /** Where callers reach the server through Toolshed's gateway, when it is on. */
  gateway: { url: string; transport: GatewayTransport } | null;
  latestVersion: string;
  versions: VersionSummary[];
  health: {
    status: string;
    uptime30d: number | null;
    p50LatencyMs: number | null;
    lastProbedAt: string | null;
  };
  tools: Definition[];
  prompts: Definition[];
  resources: Definition[];
  /** Probes of the latest version over the last 30 days, oldest first. */
  probes: ProbePoint[];
  /** Newest first. */
  drift: DriftEntry[];
}

export const PROBE_WINDOW_DAYS = 30;
const MAX_PROBES = 3000;
const MAX_DRIFT = 50;

const lower = <T extends string>(s: T) => s.toLowerCase() as Lowercase<T>;

const publisherProvided = (json: Record<string, unknown>): Record<string, unknown> => {
  const meta = json._meta as Record<string, unknown> | undefined;
  const pp = meta?.["io.modelcontextprotocol.registry/publisher-provided"];
  return pp && typeof pp === "object" ? (pp as Record<string, unknown>) : {};
};

interface Extras {
  definitions: Definition[] | null;
  probes: ProbePoint[] | null;
  drift: DriftEntry[] | null;
}

/** Definitions of the current tool set, recent probes and drift events, in one statement. */
async function extras(serverId: string, versionId: string, toolSetId: string | null, since: Date): Promise<Extras> {
  const [row] = await db().$queryRaw<Extras[]>`
    SELECT
      (SELECT jsonb_agg(jsonb_build_object('kind', d.kind, 'name', d.name, 'definition', d.definition) ORDER BY d.kind, d.name)
         FROM "_ToolSetMembers" m JOIN "ToolDefinition" d ON d.id = m."A"
         WHERE m."B" = ${toolSetId}) AS definitions,
      (SELECT jsonb_agg(jsonb_build_object('outcome', p.outcome, 'totalMs', p."totalMs", 'startedAt', p."startedAt") ORDER BY p."startedAt")
         FROM (SELECT outcome, "totalMs", "startedAt" FROM "Probe"
               WHERE "serverVersionId" = ${versionId} AND "startedAt" >= ${since}
               ORDER BY "startedAt" DESC LIMIT ${MAX_PROBES}) p) AS probes,
      (SELECT jsonb_agg(jsonb_build_object('id', e.id, 'version', v.version, 'detectedAt', e."detectedAt",
                                           'acknowledgedAt', e."acknowledgedAt", 'diff', e.diff) ORDER BY e."detectedAt" DESC, e.id DESC)
         FROM (SELECT * FROM "DriftEvent" WHERE "serverId" = ${serverId} ORDER BY "detectedAt" DESC, id DESC LIMIT ${MAX_DRIFT}) e
         JOIN "ServerVersion" v ON v.id = e."serverVersionId") AS drift`;
  return row ?? { definitions: null, probes: null, drift: null };
}

// jsonb_build_object renders timestamps without a zone; they are UTC (timestamp(3) columns written by Prisma).
const iso = (t: string) => new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(t) ? t : `${t}Z`).toISOString();

export async function loadServerDetail(p: Principal, name: string, now = new Date()): Promise<ServerDetail | null> {
  const scope = await readScopeOf(p);
  const server = await db().server.findUnique({
    where: { name },
    include: {
      ownerTeam: { select: { slug: true, name: true } },
      teamAccess: { select: { teamId: true } },
      versions: {
        orderBy: [{ publishedAt: "desc" }, { version: "desc" }],
        select: {
          id: true, version: true, status: true, statusMessage: true, reviewState: true, isLatest: true, isLatestApproved: true, publishedAt: true, serverJson: true, currentToolSetId: true,
        },
      },
    },
  });
  if (!server) return null;
  const thing = { visibility: server.visibility, ownerTeamId: server.ownerTeamId, accessTeamIds: server.teamAccess.map((a) => a.teamId) };
  // Deleted versions are hidden as in the registry API; a server with nothing else left is not found.
  const versions = server.versions.filter((v) => v.status !== "DELETED" && canSeeVersion(scope, thing, v));
  const latest = (seesUnapproved(scope, server.ownerTeamId) ? versions.find((v) => v.isLatest) : versions.find((v) => v.isLatestApproved)) ?? versions[0];
  if (!latest) return null;

  const since = new Date(now.getTime() - PROBE_WINDOW_DAYS * 86_400_000);
  const x = await extras(server.id, latest.id, latest.currentToolSetId, since);
  const defs = x.definitions ?? [];
  const json = latest.serverJson as Record<string, unknown>;
  const pp = publisherProvided(json);
  const transport = server.gatewayEnabled && server.upstreamUrl ? transportFromDb(server.upstreamTransport) : null;
  const publicUrl = env().publicUrl;
  return {
    id: server.id,
    name: server.name,
    title: typeof json.title === "string" ? json.title : server.title,
    description: typeof json.description === "string" ? json.description : server.description,
    longDescription: typeof pp.longDescription === "string" ? pp.longDescription : null,
    status: lower(server.status),
    visibility: lower(server.visibility),
    reviewState: lower(latest.reviewState),
    changedSinceApproval: server.changedSinceApproval,
    ownerTeam: server.ownerTeam,
    serverJson: json,
    servedJson: servedServerJson(json, server.name, publicUrl, transport ? { transport } : null),
    gateway: transport ? { url: gatewayUrlOf(publicUrl, server.name, transport), transport } : null,
    latestVersion: latest.version,
    versions: versions.map((v) => ({
      version: v.version,
      status: lower(v.status),
      statusMessage: v.statusMessage,
      reviewState: lower(v.reviewState),
      isLatest: v.id === latest.id,
      publishedAt: v.publishedAt.toISOString(),
    })),
    health: {
      status: server.health ? lower(server.health) : "unknown",
      uptime30d: server.uptime30d,
      p50LatencyMs: server.p50LatencyMs,
      lastProbedAt: server.lastProbedAt?.toISOString() ?? null,
    },
    tools: defs.filter((d) => d.kind === "TOOL"),
    prompts: defs.filter((d) => d.kind === "PROMPT"),
    resources: defs.filter((d) => d.kind === "RESOURCE" || d.kind === "RESOURCE_TEMPLATE"),
    probes: (x.probes ?? []).map((pr) => ({ ...pr, startedAt: iso(pr.startedAt) })),
    // Drift of a version the caller may not see would show its unapproved tools.
    drift: (x.drift ?? []).filter((d) => versions.some((v) => v.version === d.version)).map((d) => ({ ...d, detectedAt: iso(d.detectedAt), acknowledgedAt: d.acknowledgedAt ? iso(d.acknowledgedAt) : null })),
  };
}
