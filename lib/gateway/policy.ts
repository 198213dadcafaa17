import { z } from "zod";
import { parseCidr, type Cidr } from "../net/cidr";

/**
 * The policies of one server's gateway endpoint, as stored in GatewayPolicy and exchanged by
 * GET/PUT /api/servers/{name}/gateway. Evaluated per request in this order: IP allow/deny, rate limits
 * and quotas, request size and call timeout, result cache.
 */

export const DEFAULT_MAX_REQUEST_BYTES = 1_048_576;
export const DEFAULT_TIMEOUT_MS = 30_000;

const toolName = z.string().trim().min(1, "a tool name is required").max(128, "at most 128 characters");

const cidr = z.string().trim().refine((s) => parseCidr(s) !== null, { message: "expected an IP address or CIDR, e.g. 10.0.0.0/8" });

/**
 * A rate limit: at most `limit` requests per `windowSec`, counted per caller or for the whole server,
 * over every request or only the calls of one tool. "fixed-window" resets at each window boundary;
 * "token-bucket" holds `limit` tokens refilled evenly over `windowSec` (bursts up to `limit`).
 */
export const rateLimitRule = z.object({
  per: z.enum(["caller", "server"], { message: "expected caller or server" }),
  tool: toolName.optional(),
  algorithm: z.enum(["fixed-window", "token-bucket"], { message: "expected fixed-window or token-bucket" }).default("fixed-window"),
  limit: z.number({ message: "expected a number" }).int("expected a whole number").min(1, "at least 1").max(1_000_000, "at most 1000000"),
  windowSec: z.number({ message: "expected a number" }).int("expected whole seconds").min(1, "at least 1 second").max(86_400, "at most 86400 seconds"),
});
export type RateLimitRule = z.infer<typeof rateLimitRule>;

/** A quota: at most `limit` requests per calendar period (UTC), per caller or for the whole server. */
export const quotaRule = z.object({
  per: z.enum(["caller", "server"], { message: "expected caller or server" }),
  tool: toolName.optional(),
  limit: z.number({ message: "expected a number" }).int("expected a whole number").min(1, "at least 1").max(1_000_000_000, "at most 1000000000"),
  period: z.enum(["hour", "day", "month"], { message: "expected hour, day or month" }),
});
export type QuotaRule = z.infer<typeof quotaRule>;

/**
 * Result caching of one tool (opt-in). `ttlSec` is the longest a result is kept; a result carrying the
 * 2026-07-28 hints keeps it shorter (`ttlMs`, 0 = never cached) and `cacheScope: "private"` keeps it
 * to the caller that got it. `scope` is the default for results without a hint.
 */
export const cacheRule = z.object({
  tool: toolName,
  ttlSec: z.number({ message: "expected a number" }).int("expected whole seconds").min(1, "at least 1 second").max(86_400, "at most 86400 seconds"),
  scope: z.enum(["private", "public"], { message: "expected private or public" }).default("private"),
});
export type CacheRule = z.infer<typeof cacheRule>;

/**
 * What the limits do when their shared store (Redis) cannot answer in time: "open" skips the check
 * (counted and logged), "closed" refuses the call (503). Rate limits default to open (they protect
 * capacity, and a store outage must not take every server down), quotas to closed (they are budgets).
 * The result cache always fails open: a miss.
 */
export const storeFailureInput = z.strictObject({
  rateLimits: z.enum(["open", "closed"], { message: "expected open or closed" }).default("open"),
  quotas: z.enum(["open", "closed"], { message: "expected open or closed" }).default("closed"),
});

export interface FailOpen {
  rateLimits: boolean;
  quotas: boolean;
}

export const DEFAULT_FAIL_OPEN: FailOpen = Object.freeze({ rateLimits: true, quotas: false });

export const policyInput = z.object({
  ipAllow: z.array(cidr).max(200, "at most 200 entries").default([]),
  ipDeny: z.array(cidr).max(200, "at most 200 entries").default([]),
  rateLimits: z.array(rateLimitRule).max(50, "at most 50 rules").default([]),
  quotas: z.array(quotaRule).max(50, "at most 50 rules").default([]),
  maxRequestBytes: z.number({ message: "expected a number" }).int("expected whole bytes").min(1024, "at least 1024").max(100 * 1_048_576, "at most 104857600").nullable().default(null),
  timeoutMs: z.number({ message: "expected a number" }).int("expected whole milliseconds").min(100, "at least 100").max(600_000, "at most 600000").nullable().default(null),
  cache: z.array(cacheRule).max(200, "at most 200 rules").default([]),
  capturePayloads: z.boolean({ message: "expected true or false" }).default(false),
  onStoreFailure: storeFailureInput.prefault({}),
});
export type PolicyInput = z.infer<typeof policyInput>;

/** The policy as the request pipeline uses it: CIDRs parsed, defaults filled in. */
export interface GatewayPolicy {
  ipAllow: Cidr[];
  ipDeny: Cidr[];
  rateLimits: RateLimitRule[];
  quotas: QuotaRule[];
  maxRequestBytes: number;
  timeoutMs: number;
  cache: Map<string, CacheRule>;
  capturePayloads: boolean;
  failOpen: FailOpen;
}

/** The GatewayPolicy columns the policy is made of. */
export interface PolicyRow {
  ipAllow: string[];
  ipDeny: string[];
  rateLimit: unknown;
  quota: unknown;
  cache: unknown;
  maxRequestBytes: number | null;
  timeoutMs: number | null;
  capturePayloads: boolean;
  rateLimitFailMode: "OPEN" | "CLOSED";
  quotaFailMode: "OPEN" | "CLOSED";
}

const validRules = <T>(schema: z.ZodType<T>, value: unknown): T[] =>
  Array.isArray(value) ? value.flatMap((v) => { const r = schema.safeParse(v); return r.success ? [r.data] : []; }) : [];

/** The policy as the API shows it, from a stored row (JSON columns re-validated; a bad stored rule is dropped, not fatal). */
export function policyDocument(row: PolicyRow | null): PolicyInput {
  return {
    ipAllow: row?.ipAllow ?? [],
    ipDeny: row?.ipDeny ?? [],
    rateLimits: validRules(rateLimitRule, row?.rateLimit),
    quotas: validRules(quotaRule, row?.quota),
    maxRequestBytes: row?.maxRequestBytes ?? null,
    timeoutMs: row?.timeoutMs ?? null,
    cache: validRules(cacheRule, row?.cache),
    capturePayloads: row?.capturePayloads ?? false,
    onStoreFailure: { rateLimits: row?.rateLimitFailMode === "CLOSED" ? "closed" : "open", quotas: row?.quotaFailMode === "OPEN" ? "open" : "closed" },
  };
}

/** The policy as the request pipeline uses it, from a stored row. */
export function compilePolicy(row: PolicyRow | null): GatewayPolicy {
  const doc = policyDocument(row);
  const cidrs = (xs: string[]) => xs.flatMap((x) => { const c = parseCidr(x); return c ? [c] : []; });
  return {
    ipAllow: cidrs(doc.ipAllow),
    ipDeny: cidrs(doc.ipDeny),
    rateLimits: doc.rateLimits,
    quotas: doc.quotas,
    maxRequestBytes: doc.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES,
    timeoutMs: doc.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    cache: new Map(doc.cache.map((c) => [c.tool, c])),
    capturePayloads: doc.capturePayloads,
    failOpen: { rateLimits: doc.onStoreFailure.rateLimits === "open", quotas: doc.onStoreFailure.quotas === "open" },
  };
}
