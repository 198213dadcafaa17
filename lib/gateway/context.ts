import { INVOKE_RULE_SELECT, toInvokeRules } from "../access/invoke-rules";
import type { GatewayServer } from "../access/gateway-reach";
import type { ServerInvokeRules } from "../access/invoke";
import { db } from "../db/client";
import { logger } from "../logger";
import type { DefinitionKind } from "../probing/fingerprint";
import { makeDue } from "../probing/repository";
import { pinKey } from "./decide";
import { onServerChanged } from "./invalidation";
import { GraceCache } from "./grace-cache";
import { compilePolicy, type GatewayPolicy } from "./policy";
import { gatewayCredentialsOf } from "./settings";

/**
 * Everything the gateway needs to decide a request for one server, loaded from Postgres and kept
 * for a short time in each replica. Changes made through the API reach every replica within
 * CONTEXT_TTL_MS (at once on the replica that made them).
 */
export interface ServerContext {
  id: string;
  name: string;
  /** Who may reach the server at all: visibility and approval (decideGatewayReach); without it nobody does. */
  reach?: GatewayServer;
  upstream: { url: URL; transport: "streamable-http" | "sse" };
  pinMode: "BLOCK" | "WARN";
  rules: ServerInvokeRules;
  /** pinKey(kind, id) → fingerprint, for every definition of the approved tool set; null when no version has one. */
  approved: ReadonlyMap<string, string> | null;
  /** pinKey(kind, id) → fingerprint the last probe saw (see currentFingerprint for what this replica saw since). */
  current: ReadonlyMap<string, string>;
  policy: GatewayPolicy;
  /** Backend credential headers injected into upstream requests. */
  credentials: Readonly<Record<string, string>>;
}

export const CONTEXT_TTL_MS = 2_000;

const pinMap = (defs: { kind: DefinitionKind; name: string; fingerprint: string }[]) => new Map(defs.map((d) => [pinKey(d.kind, d.name), d.fingerprint]));
const PINNED = { select: { kind: true, name: true, fingerprint: true } } as const;

/** While Postgres is unreachable a context is served up to STALE_GRACE_MS past its time to live. */
const cache = new GraceCache<ServerContext | null>(CONTEXT_TTL_MS, 10_000);

async function load(name: string): Promise<ServerContext | null> {
  const s = await db().server.findUnique({
    where: { name },
    select: {
      id: true, name: true, status: true, gatewayEnabled: true, upstreamUrl: true, upstreamTransport: true, pinMode: true, ownerTeamId: true,
      visibility: true, gatewayServeUnapproved: true, teamAccess: { select: { teamId: true } },
      _count: { select: { versions: { where: { status: { not: "DELETED" }, reviewState: { in: ["APPROVED", "CHANGED"] } } } } },
      accessRules: INVOKE_RULE_SELECT,
      gatewayPolicy: { select: { ipAllow: true, ipDeny: true, rateLimit: true, quota: true, cache: true, maxRequestBytes: true, timeoutMs: true, capturePayloads: true, rateLimitFailMode: true, quotaFailMode: true, credentialSecretId: true } },
      versions: {
        where: { approvedFingerprint: { not: null }, status: { not: "DELETED" } },
        orderBy: [{ isLatest: "desc" }, { isLatestApproved: "desc" }, { publishedAt: "desc" }],
        take: 1,
        select: { id: true, approvedFingerprint: true, currentToolSet: { select: { definitions: PINNED } } },
      },
    },
  });
  if (!s || !s.gatewayEnabled || !s.upstreamUrl || s.status === "DELETED") return null;
  const version = s.versions[0];
  let approved: Map<string, string> | null = null;
  if (version?.approvedFingerprint) {
    const set = await db().toolSet.findUnique({
      where: { serverVersionId_fingerprint: { serverVersionId: version.id, fingerprint: version.approvedFingerprint } },
      select: { definitions: PINNED },
    });
    if (set) approved = pinMap(set.definitions);
  }
  const current = pinMap(version?.currentToolSet?.definitions ?? []);
  return {
    id: s.id,
    name: s.name,
    reach: {
      name: s.name,
      visibility: s.visibility,
      ownerTeamId: s.ownerTeamId,
      accessTeamIds: s.teamAccess.map((a) => a.teamId),
      approved: s._count.versions > 0,
      serveUnapproved: s.gatewayServeUnapproved,
    },
    upstream: { url: new URL(s.upstreamUrl), transport: s.upstreamTransport === "SSE" ? "sse" : "streamable-http" },
    pinMode: s.pinMode,
    rules: { name: s.name, ownerTeamId: s.ownerTeamId, rules: toInvokeRules(s.accessRules) },
    approved,
    current,
    policy: compilePolicy(s.gatewayPolicy),
    credentials: s.gatewayPolicy?.credentialSecretId ? await gatewayCredentialsOf(s.id) : {},
  };
}

/**
 * The context of an enabled server, or null when there is no such server or its gateway is off.
 * Whether the caller may reach it is decided after authentication (lib/access/gateway-reach.ts).
 */
export function serverContext(name: string, now = Date.now()): Promise<ServerContext | null> {
  return cache.get(name, () => load(name), now);
}

onServerChanged((name) => cache.delete(name));

/** Server id → pinKey → fingerprint last seen in a list answer through this replica. */
const observed = new Map<string, Map<string, string>>();
const probeRequested = new Map<string, number>();

/** The fingerprint the upstream lists for a definition now, as far as this replica knows. */
export function currentFingerprint(ctx: ServerContext, kind: DefinitionKind, id: string): string | undefined {
  const key = pinKey(kind, id);
  return observed.get(ctx.id)?.get(key) ?? ctx.current.get(key);
}

/**
 * Notes what the upstream listed for a definition. One that differs from the approved set also asks
 * for a probe of the server (at most once a minute), so the change is recorded as drift for every replica.
 */
export function observeDefinition(ctx: ServerContext, kind: DefinitionKind, id: string, fingerprint: string) {
  const key = pinKey(kind, id);
  let seen = observed.get(ctx.id);
  if (!seen) observed.set(ctx.id, (seen = new Map()));
  seen.set(key, fingerprint);
  if (ctx.approved?.get(key) === fingerprint) return;
  const last = probeRequested.get(ctx.id) ?? 0;
  if (Date.now() - last < 60_000) return;
  probeRequested.set(ctx.id, Date.now());
  makeDue(ctx.id).catch((e: unknown) => logger.warn("could not schedule a probe after a definition change", { server: ctx.name, error: String(e) }));
}
