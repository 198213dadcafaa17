import { z } from "zod";
import { remoteUrlProblem, type NetworkPolicy } from "../contracts/server-json-urls";
import { jsonPointer } from "../contracts/json-pointer";
import { AppError, type FieldError } from "../errors";
import { refusalReason } from "../net/address-policy";
import { isIpLiteral } from "../net/cidr";
import { headersInput } from "../probing/credential-rules";
import { gatewayUrlOf, transportFromDb, type GatewayTransport } from "./gateway-url";
import { cacheRule, policyDocument, policyInput, quotaRule, rateLimitRule, type CacheRule, type PolicyInput, type PolicyRow, type QuotaRule, type RateLimitRule } from "./policy";

/**
 * The owner-facing gateway settings of one server (GET/PUT /api/servers/{name}/gateway): the switch,
 * the private upstream, the pin mode and the policy. Pure rules; lib/gateway/settings.ts reads and
 * writes them.
 */

export const MAX_UPSTREAM_URL = 2048;

const emptyToNull = (v: unknown) => (typeof v === "string" && v.trim() === "" ? null : v);

export const gatewaySettingsInput = z.strictObject({
  enabled: z.boolean({ message: "expected true or false" }),
  upstreamUrl: z.preprocess(emptyToNull, z.string({ message: "expected a URL or null" }).trim().max(MAX_UPSTREAM_URL, `at most ${MAX_UPSTREAM_URL} characters`).nullable()).default(null),
  upstreamTransport: z.enum(["streamable-http", "sse"], { message: "expected streamable-http or sse" }).default("streamable-http"),
  pinMode: z.enum(["block", "warn"], { message: "expected block or warn" }).default("warn"),
  policy: policyInput.strict().prefault({}),
});
export type GatewaySettingsInput = z.infer<typeof gatewaySettingsInput>;

/** PUT /api/servers/{name}/gateway/credentials: the backend headers, as probe credentials' headers are checked. */
export const gatewayCredentialsInput = z.strictObject({ headers: headersInput });

/** The policy as the document shows it (stored JSON re-validated: a bad stored rule is left out, as the pipeline does). */
export type PolicyDocument = PolicyInput;

export interface GatewaySettings {
  server: string;
  enabled: boolean;
  upstreamUrl: string | null;
  upstreamTransport: GatewayTransport;
  pinMode: "block" | "warn";
  /** Where callers reach the server through Toolshed (also while the gateway is off, to show it). */
  gatewayUrl: string;
  policy: PolicyDocument;
  /** Names of the backend headers only; values never leave the server. */
  credentials: { headers: string[]; updatedAt: string | null };
  /**
   * Served although no version is approved: set by org admins only (PUT …/gateway/serve-unapproved),
   * shown to managers; without it the gateway serves only servers with an approved version.
   */
  serveUnapproved: boolean;
}

/** PUT /api/servers/{name}/gateway/serve-unapproved (org admins). */
export const serveUnapprovedInput = z.strictObject({ serveUnapproved: z.boolean({ message: "expected true or false" }) });

export interface SettingsRow {
  gatewayEnabled: boolean;
  upstreamUrl: string | null;
  upstreamTransport: string | null;
  pinMode: string;
  /** Read only here: the owners' PUT never writes it. */
  gatewayServeUnapproved?: boolean;
}

export function settingsDocument(name: string, publicUrl: string, s: SettingsRow, policy: PolicyRow | null, credentials: GatewaySettings["credentials"]): GatewaySettings {
  const transport = transportFromDb(s.upstreamTransport);
  return {
    server: name,
    enabled: s.gatewayEnabled,
    upstreamUrl: s.upstreamUrl,
    upstreamTransport: transport,
    pinMode: s.pinMode === "BLOCK" ? "block" : "warn",
    gatewayUrl: gatewayUrlOf(publicUrl, name, transport),
    policy: policyDocument(policy),
    credentials,
    serveUnapproved: s.gatewayServeUnapproved ?? false,
  };
}

/** The columns a validated input writes. */
export function rowsOf(input: GatewaySettingsInput): { server: SettingsRow & { upstreamTransport: "STREAMABLE_HTTP" | "SSE" | null; pinMode: "BLOCK" | "WARN" }; policy: Omit<PolicyRow, "rateLimit" | "quota" | "cache"> & { rateLimit: RateLimitRule[]; quota: QuotaRule[]; cache: CacheRule[] } } {
  const p: PolicyInput = input.policy;
  return {
    server: {
      gatewayEnabled: input.enabled,
      upstreamUrl: input.upstreamUrl,
      upstreamTransport: input.upstreamUrl === null ? null : input.upstreamTransport === "sse" ? "SSE" : "STREAMABLE_HTTP",
      pinMode: input.pinMode === "block" ? "BLOCK" : "WARN",
    },
    policy: { ipAllow: p.ipAllow, ipDeny: p.ipDeny, rateLimit: p.rateLimits, quota: p.quotas, cache: p.cache, maxRequestBytes: p.maxRequestBytes, timeoutMs: p.timeoutMs, capturePayloads: p.capturePayloads,
      rateLimitFailMode: p.onStoreFailure.rateLimits === "closed" ? "CLOSED" : "OPEN",
      quotaFailMode: p.onStoreFailure.quotas === "open" ? "OPEN" : "CLOSED",
    },
  };
}

/** What the audit trail keeps of a settings document: everything but the upstream's query string (it may carry a key). */
export function auditView(d: GatewaySettings) {
  return {
    enabled: d.enabled,
    upstreamUrl: d.upstreamUrl === null ? null : withoutQuery(d.upstreamUrl),
    upstreamTransport: d.upstreamTransport,
    pinMode: d.pinMode,
    policy: d.policy,
  };
}

function withoutQuery(raw: string): string {
  try {
    const u = new URL(raw);
    return `${u.origin}${u.pathname}${u.search ? "?…" : ""}`;
  } catch {
    return "(invalid URL)";
  }
}

// ───────────────────────────── validation ─────────────────────────────

const RULE_LISTS = { rateLimits: rateLimitRule, quotas: quotaRule, cache: cacheRule } as const;

/** zod issues as field errors; an unknown field is named by its own pointer. */
function issuesOf(e: z.ZodError): FieldError[] {
  return e.issues.flatMap((i) =>
    i.code === "unrecognized_keys"
      ? i.keys.map((k) => ({ pointer: jsonPointer([...i.path, k]), message: "unknown field" }))
      : [{ pointer: jsonPointer(i.path), message: i.message }],
  );
}

/** Unknown fields inside the rules (the rule schemas are shared with the pipeline, which tolerates them). */
function unknownRuleFields(body: unknown): FieldError[] {
  const policy = (body as { policy?: unknown } | null)?.policy;
  if (!policy || typeof policy !== "object") return [];
  const out: FieldError[] = [];
  for (const [list, schema] of Object.entries(RULE_LISTS)) {
    const rules = (policy as Record<string, unknown>)[list];
    if (!Array.isArray(rules)) continue;
    const known = new Set(Object.keys(schema.shape));
    rules.forEach((r, i) => {
      if (r && typeof r === "object" && !Array.isArray(r))
        for (const k of Object.keys(r)) if (!known.has(k)) out.push({ pointer: jsonPointer(["policy", list, i, k]), message: "unknown field" });
    });
  }
  return out;
}

function duplicateCacheRules(input: GatewaySettingsInput): FieldError[] {
  const seen = new Set<string>();
  return input.policy.cache.flatMap((c, i) => {
    if (!seen.has(c.tool)) return (seen.add(c.tool), []);
    return [{ pointer: `/policy/cache/${i}/tool`, message: `${c.tool} already has a cache rule` }];
  });
}

const hostOf = (u: URL) => u.hostname.replace(/^\[|\]$/g, "").replace(/\.$/, "").toLowerCase();

/** Why a URL reaches Toolshed itself, or undefined (the service passes lib/net/self.ts's check, which resolves the host). */
export type OwnUrlCheck = (url: URL) => Promise<string | undefined>;

/**
 * Why an upstream URL may not be used, or null: an absolute http(s) URL with no user:password, no
 * `{variables}` and no fragment, allowed by the outbound network policy (TOOLSHED_ALLOWED_NETWORKS,
 * as for published remotes, plus the addresses lib/net never connects to), and not Toolshed itself:
 * neither its own gateway by origin nor, per `ownUrl`, one of its own addresses on its own port.
 */
export async function upstreamUrlProblem(raw: string, network: NetworkPolicy, publicUrl: string, ownUrl?: OwnUrlCheck): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "expected an absolute http or https URL, e.g. https://mcp.internal.example.com/mcp";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return "must be an http or https URL";
  if (url.username || url.password) return "must not contain credentials (user:password@); set backend credential headers instead";
  if (/[{}]/.test(raw)) return "must not contain {variables}: the gateway calls this exact URL";
  if (url.hash) return "must not contain a #fragment";
  const problem = await remoteUrlProblem(url.href, network);
  if (problem) return problem;
  const host = hostOf(url);
  if (isIpLiteral(host)) {
    const reason = refusalReason(host, network.allowedNetworks ?? []);
    if (reason) return `must not point to a ${reason} (${host})`;
  }
  const self = new URL(publicUrl);
  if (url.origin === self.origin && url.pathname.startsWith("/gateway/")) return "must not point at Toolshed's own gateway";
  const own = await ownUrl?.(url);
  if (own) return `must not point at Toolshed itself: ${own}`;
  return null;
}

/** Parses a PUT body, collecting every problem (schema, unknown fields, the upstream rules) before failing. */
export async function checkSettings(body: unknown, network: NetworkPolicy, publicUrl: string, ownUrl?: OwnUrlCheck): Promise<GatewaySettingsInput> {
  const parsed = gatewaySettingsInput.safeParse(body);
  const errors = [...(parsed.success ? [] : issuesOf(parsed.error)), ...unknownRuleFields(body)];
  if (parsed.success) {
    const input = parsed.data;
    errors.push(...duplicateCacheRules(input));
    if (input.upstreamUrl !== null) {
      const problem = await upstreamUrlProblem(input.upstreamUrl, network, publicUrl, ownUrl);
      if (problem) errors.push({ pointer: "/upstreamUrl", message: problem });
    } else if (input.enabled) {
      errors.push({ pointer: "/upstreamUrl", message: "an upstream URL is required to enable the gateway" });
    }
    if (!errors.length) return input;
  }
  const unique = [...new Map(errors.map((e) => [`${e.pointer} ${e.message}`, e])).values()];
  throw new AppError("validation_failed", unique.map((x) => `${x.pointer.slice(1) || "input"}: ${x.message}`).join("; "), { errors: unique });
}
