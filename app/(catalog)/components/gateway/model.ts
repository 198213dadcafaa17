import type { GatewaySettings } from "@/lib/gateway/settings-rules";
import { errorsAt, type FieldProblem } from "@/lib/ui/field-errors";

/**
 * The gateway settings form's state and the PUT body it stands for. Numbers are kept as the text the
 * user typed, so that a half-typed value is not lost; the server validates and answers by pointer.
 */

export interface RateRow {
  key: string;
  per: string;
  tool: string;
  algorithm: string;
  limit: string;
  windowSec: string;
}
export interface QuotaRow {
  key: string;
  per: string;
  tool: string;
  limit: string;
  period: string;
}
export interface CacheRow {
  key: string;
  tool: string;
  ttlSec: string;
  scope: string;
}

export interface GatewayForm {
  enabled: boolean;
  upstreamUrl: string;
  upstreamTransport: "streamable-http" | "sse";
  pinMode: "block" | "warn";
  ipAllow: string;
  ipDeny: string;
  rateLimits: RateRow[];
  quotas: QuotaRow[];
  maxRequestBytes: string;
  timeoutMs: string;
  cache: CacheRow[];
  capturePayloads: boolean;
  rateLimitsOnStoreFailure: "open" | "closed";
  quotasOnStoreFailure: "open" | "closed";
}


let counter = 0;
export const newKey = () => `gw-row-${++counter}`;

const text = (n: number | null | undefined) => (n === null || n === undefined ? "" : String(n));

/** The form for a settings document; rows of the initial state get keys from their position (stable across hydration). */
export function formOf(s: GatewaySettings): GatewayForm {
  const p = s.policy;
  return {
    enabled: s.enabled,
    upstreamUrl: s.upstreamUrl ?? "",
    upstreamTransport: s.upstreamTransport,
    pinMode: s.pinMode,
    ipAllow: p.ipAllow.join("\n"),
    ipDeny: p.ipDeny.join("\n"),
    rateLimits: p.rateLimits.map((r, i) => ({ key: `rate-${i}`, per: r.per, tool: r.tool ?? "", algorithm: r.algorithm, limit: text(r.limit), windowSec: text(r.windowSec) })),
    quotas: p.quotas.map((q, i) => ({ key: `quota-${i}`, per: q.per, tool: q.tool ?? "", limit: text(q.limit), period: q.period })),
    maxRequestBytes: text(p.maxRequestBytes),
    timeoutMs: text(p.timeoutMs),
    cache: p.cache.map((c, i) => ({ key: `cache-${i}`, tool: c.tool, ttlSec: text(c.ttlSec), scope: c.scope })),
    capturePayloads: p.capturePayloads,
    rateLimitsOnStoreFailure: p.onStoreFailure.rateLimits,
    quotasOnStoreFailure: p.onStoreFailure.quotas,
  };
}

export const emptyRate = (): RateRow => ({ key: newKey(), per: "caller", tool: "", algorithm: "fixed-window", limit: "60", windowSec: "60" });
export const emptyQuota = (): QuotaRow => ({ key: newKey(), per: "caller", tool: "", limit: "1000", period: "day" });
export const emptyCache = (tool = ""): CacheRow => ({ key: newKey(), tool, ttlSec: "300", scope: "private" });

/** A typed number, or the text itself when it is not one (the server then names the field). */
const num = (s: string): number | string | null => {
  const t = s.trim();
  if (!t) return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : t;
};
const lines = (s: string) => s.split(/[\n,]/).map((x) => x.trim()).filter(Boolean);
const optionalTool = (t: string) => (t.trim() ? { tool: t.trim() } : {});

/** The PUT /api/servers/{name}/gateway body. */
export function bodyOf(f: GatewayForm) {
  return {
    enabled: f.enabled,
    upstreamUrl: f.upstreamUrl.trim() || null,
    upstreamTransport: f.upstreamTransport,
    pinMode: f.pinMode,
    policy: {
      ipAllow: lines(f.ipAllow),
      ipDeny: lines(f.ipDeny),
      rateLimits: f.rateLimits.map((r) => ({ per: r.per, ...optionalTool(r.tool), algorithm: r.algorithm, limit: num(r.limit), windowSec: num(r.windowSec) })),
      quotas: f.quotas.map((q) => ({ per: q.per, ...optionalTool(q.tool), limit: num(q.limit), period: q.period })),
      maxRequestBytes: num(f.maxRequestBytes),
      timeoutMs: num(f.timeoutMs),
      cache: f.cache.map((c) => ({ tool: c.tool.trim(), ttlSec: num(c.ttlSec), scope: c.scope })),
      capturePayloads: f.capturePayloads,
      onStoreFailure: { rateLimits: f.rateLimitsOnStoreFailure, quotas: f.quotasOnStoreFailure },
    },
  };
}

/** The DOM id of the control for `pointer` (/policy/rateLimits/0/limit → gw-policy-rateLimits-0-limit). */
export const fieldId = (pointer: string) => `gw${pointer.replace(/[^A-Za-z0-9]+/g, "-")}`;


/** IP list errors point at one entry (/policy/ipAllow/2): say which one, since the field is one text box. */
export function listErrors(errors: readonly FieldProblem[], pointer: string, value: string): FieldProblem[] {
  const entries = lines(value);
  return errorsAt(errors, pointer, true).map((e) => {
    const i = Number(e.pointer.slice(pointer.length + 1));
    return Number.isInteger(i) && entries[i] !== undefined ? { ...e, message: `${entries[i]}: ${e.message}` } : e;
  });
}
