import { OFFICIAL_META, TOOLSHED_META, type ServerResponse, type WireStatus } from "../contracts/registry-api";
import { env } from "../env";
import { servedServerJson, transportFromDb } from "../gateway/gateway-url";
import type { VersionRow } from "./repository";

const lower = <T extends string>(s: T) => s.toLowerCase() as Lowercase<T>;

/**
 * A stored version in the official wire shape, with Toolshed's own fields under its one `_meta` key.
 * The official key allows only the spec's fields (additionalProperties: false), so statusChangedAt,
 * which the spec does not list there, travels under Toolshed's key. With the gateway on, every version
 * is served with the gateway's remote instead of its published remotes (lib/gateway/gateway-url.ts).
 */
export function toServerResponse(r: VersionRow): ServerResponse {
  const gateway = r.gatewayTransport ? { transport: transportFromDb(r.gatewayTransport) } : null;
  return {
    server: servedServerJson(r.serverJson, r.name, env().publicUrl, gateway),
    _meta: {
      [OFFICIAL_META]: {
        status: lower(r.status) as WireStatus,
        ...(r.statusMessage ? { statusMessage: r.statusMessage } : {}),
        publishedAt: r.publishedAt.toISOString(),
        updatedAt: r.updatedAt.toISOString(),
        isLatest: r.isLatest,
      },
      [TOOLSHED_META]: {
        ownerTeam: r.ownerTeam,
        visibility: lower(r.visibility),
        reviewState: lower(r.reviewState),
        source: r.source,
        statusChangedAt: r.statusChangedAt.toISOString(),
        tools: r.toolCount === null ? null : { count: r.toolCount, names: r.toolNames ?? [], fingerprint: r.toolSetFingerprint },
        health:
          r.health === null || r.lastProbedAt === null
            ? null
            : { status: lower(r.health), uptime30d: r.uptime30d, p50LatencyMs: r.p50LatencyMs, lastProbedAt: r.lastProbedAt.toISOString() },
        changedSinceApproval: r.changedSinceApproval,
      },
    },
  };
}
