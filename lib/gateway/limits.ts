import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import { DEFAULT_FAIL_OPEN, type FailOpen, type QuotaRule, type RateLimitRule } from "./policy";
import { openRedis, type RedisConnection } from "./redis-connection";
import { MemoryQuotaCounters, MemoryTokenBuckets, periodOf, RedisTokenBuckets, type Period } from "./limit-stores";
import { recordSkippedCheck } from "./metrics";

export type LimitDecision =
  | { allowed: true }
  /** `unavailable`: the limit could not be checked (its store failed) and the server fails closed. */
  | { allowed: false; kind: "rate_limited" | "quota_exceeded"; rule: string; retryAfterSec: number; unavailable?: true };

export interface Limiter {
  /**
   * Counts one request against every rule that applies (rules with `tool` apply only to calls of that
   * tool) and refuses with the first exhausted one. Every applicable rate limit counts the attempt;
   * quotas count only requests that passed the rate limits, so a client hammering while rate limited
   * does not burn its quota.
   */
  consume(input: ConsumeInput): Promise<LimitDecision>;
  close(): Promise<void>;
}

export interface ConsumeInput {
  serverId: string;
  callerId: string;
  tool?: string;
  rateLimits: readonly RateLimitRule[];
  quotas: readonly QuotaRule[];
  /** Whether a check its store cannot answer is skipped (true) or refuses the request (default: DEFAULT_FAIL_OPEN). */
  failOpen?: FailOpen;
  /** Milliseconds since the epoch; defaults to Date.now(). */
  now?: number;
}

/** Retry-After of a refusal because a limit could not be checked. */
const UNCHECKED_RETRY_SEC = 5;

type Refusal = Extract<LimitDecision, { allowed: false }>;
/** A rule's answer: a refusal, undefined (allowed), or a promise of either that never rejects. */
type Step = Refusal | undefined | Promise<Refusal | undefined>;

const ALLOWED_DECISION: LimitDecision = Object.freeze({ allowed: true });
const ALLOWED: Promise<LimitDecision> = Promise.resolve(ALLOWED_DECISION);
const toUndefined = () => undefined;

interface RateMeta {
  rule: RateLimitRule;
  text: string;
  /** Rule identity (index + shape) for store keys, e.g. `rl:0.caller.fixed-window.5.60.search:`. */
  keyBase: string;
  windowMs: number;
  perMs: number;
  /** The fixed-window counter, set on first use. */
  limiter?: RateLimiterAbstract;
}

interface QuotaMeta {
  rule: QuotaRule;
  text: string;
  keyBase: string;
  limiter?: RateLimiterAbstract;
}


const forTool = (tool: string | undefined) => (tool === undefined ? "" : ` for tool ${tool}`);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
const retrySec = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

function rateMeta(rules: readonly RateLimitRule[]): RateMeta[] {
  return rules.map((rule, i) => ({
    rule,
    text: `${plural(rule.limit, "request")} per ${rule.windowSec} s per ${rule.per}${forTool(rule.tool)} (${rule.algorithm === "token-bucket" ? "token bucket" : "fixed window"})`,
    keyBase: `rl:${i}.${rule.per}.${rule.algorithm}.${rule.limit}.${rule.windowSec}.${encodeURIComponent(rule.tool ?? "")}:`,
    windowMs: rule.windowSec * 1000,
    perMs: rule.limit / (rule.windowSec * 1000),
  }));
}

function quotaMeta(rules: readonly QuotaRule[]): QuotaMeta[] {
  return rules.map((rule, i) => ({
    rule,
    text: `${plural(rule.limit, "request")} per ${rule.period} (UTC) per ${rule.per}${forTool(rule.tool)}`,
    keyBase: `q:${i}.${rule.per}.${rule.period}.${rule.limit}.${encodeURIComponent(rule.tool ?? "")}:`,
  }));
}


const bucketRefusal = (m: RateMeta, waitMs: number): Refusal | undefined =>
  waitMs > 0 ? { allowed: false, kind: "rate_limited", rule: m.text, retryAfterSec: retrySec(waitMs) } : undefined;

/** The first refusal in rule order; synchronous while the answers are, a promise from the first pending one. */
function firstRefusal(steps: readonly Step[]): Step {
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i];
    if (s instanceof Promise) return awaitFrom(steps, i);
    if (s !== undefined) return s;
  }
  return undefined;
}

async function awaitFrom(steps: readonly Step[], from: number): Promise<Refusal | undefined> {
  for (let i = from; i < steps.length; i++) {
    const r = await steps[i];
    if (r !== undefined) return r;
  }
  return undefined;
}

/**
 * Memory or Redis. With Redis, when Redis is down (known from the connection state) or a command exceeds
 * its short timeout, a rule is skipped or refuses the request as the server's fail mode says
 * (ConsumeInput.failOpen); every skipped check is counted (toolshed_gateway_checks_skipped_total) and
 * logged once per interval.
 */
/** Why a Redis check could not be made, as a metric label. */
function failureReason(e: unknown): string {
  return /timed? ?out/i.test(e instanceof Error ? e.message : String(e)) ? "timeout" : "error";
}

/** A check the store could not answer: skipped (counted, logged once per interval) or refused. */
function unchecked(kind: Refusal["kind"], text: string, open: boolean, reason: string): Refusal | undefined {
  const check = kind === "rate_limited" ? "rate_limit" : "quota";
  if (!open) return { allowed: false, kind, rule: text, retryAfterSec: UNCHECKED_RETRY_SEC, unavailable: true };
  recordSkippedCheck(check, reason);
  return undefined;
}

class StoreLimiter implements Limiter {
  private readonly prefix: string;
  private readonly redis: RedisConnection | undefined;
  private readonly memoryBuckets = new MemoryTokenBuckets();
  private readonly memoryQuotas = new MemoryQuotaCounters();
  private readonly redisBuckets: RedisTokenBuckets | undefined;
  /** One rate-limiter-flexible instance per distinct (points, duration); quotas use (limit, per-call duration). */
  private readonly windows = new Map<string, RateLimiterAbstract>();
  private readonly rateMetas = new WeakMap<readonly RateLimitRule[], RateMeta[]>();
  private readonly quotaMetas = new WeakMap<readonly QuotaRule[], QuotaMeta[]>();
  private readonly periods: Partial<Record<QuotaRule["period"], Period>> = {};

  constructor(opts: { redisUrl?: string; keyPrefix?: string; timeoutMs?: number }) {
    this.prefix = opts.keyPrefix ?? "toolshed:gw:";
    if (opts.redisUrl) {
      this.redis = openRedis(opts.redisUrl, { component: "gateway-limits", timeoutMs: opts.timeoutMs });
      this.redisBuckets = new RedisTokenBuckets(this.redis.client);
    }
  }

  consume(input: ConsumeInput): Promise<LimitDecision> {
    if (input.rateLimits.length === 0 && input.quotas.length === 0) return ALLOWED;
    const now = input.now ?? Date.now();
    const rate = this.rateSteps(input, now);
    const first = rate === undefined ? undefined : firstRefusal(rate);
    if (first instanceof Promise) return first.then((r) => r ?? this.quotaPhase(input, now));
    if (first !== undefined) return Promise.resolve(first);
    return this.quotaPhase(input, now);
  }

  async close(): Promise<void> {
    this.memoryBuckets.clear();
    this.memoryQuotas.clear();
    this.windows.clear();
    await this.redis?.close();
  }

  private quotaPhase(input: ConsumeInput, now: number): Promise<LimitDecision> {
    const steps = this.quotaSteps(input, now);
    if (steps === undefined) return ALLOWED;
    const first = firstRefusal(steps);
    if (first instanceof Promise) return first.then((r) => r ?? ALLOWED_DECISION);
    return first === undefined ? ALLOWED : Promise.resolve(first);
  }

  /** Starts every applicable rate limit at once (so Redis round trips overlap); undefined when none applies. */
  private rateSteps(input: ConsumeInput, now: number): Step[] | undefined {
    if (input.rateLimits.length === 0) return undefined;
    let metas = this.rateMetas.get(input.rateLimits);
    if (metas === undefined) this.rateMetas.set(input.rateLimits, (metas = rateMeta(input.rateLimits)));
    // Only refusals and pending answers are kept (in rule order): an all-allowed memory pass allocates no array.
    let steps: Step[] | undefined;
    for (const m of metas) {
      if (m.rule.tool !== undefined && m.rule.tool !== input.tool) continue;
      const subject = m.rule.per === "caller" ? input.callerId : "*";
      const open = (input.failOpen ?? DEFAULT_FAIL_OPEN).rateLimits;
      const step = m.rule.algorithm === "token-bucket" ? this.tokenBucket(m, input.serverId, subject, now, open) : this.fixedWindow(m, input.serverId, subject, now, open);
      if (step !== undefined) (steps ??= []).push(step);
    }
    return steps;
  }

  private quotaSteps(input: ConsumeInput, now: number): Step[] | undefined {
    if (input.quotas.length === 0) return undefined;
    let metas = this.quotaMetas.get(input.quotas);
    if (metas === undefined) this.quotaMetas.set(input.quotas, (metas = quotaMeta(input.quotas)));
    let steps: Step[] | undefined;
    for (const m of metas) {
      if (m.rule.tool !== undefined && m.rule.tool !== input.tool) continue;
      const subject = m.rule.per === "caller" ? input.callerId : "*";
      const period = this.period(m.rule.period, now);
      let step: Step;
      if (this.redis === undefined) {
        const exceeded = this.memoryQuotas.add(m.keyBase, input.serverId, subject, period.end, now) > m.rule.limit;
        step = exceeded ? { allowed: false, kind: "quota_exceeded", rule: m.text, retryAfterSec: retrySec(period.end - now) } : undefined;
      } else {
        const retry = retrySec(period.end - now);
        const limiter = (m.limiter ??= this.window(`q/${m.rule.limit}`, m.rule.limit, 0));
        // The key names the period and expires at its end (measured from `now`).
        const key = `${this.prefix}${m.keyBase}${input.serverId}:${subject}:${period.label}`;
        step = this.count(limiter, key, { customDuration: retry }, m.text, "quota_exceeded", retry, (input.failOpen ?? DEFAULT_FAIL_OPEN).quotas);
      }
      if (step !== undefined) (steps ??= []).push(step);
    }
    return steps;
  }

  /**
   * Windows aligned to multiples of the window length (the window index is in the key), so every
   * replica agrees on the boundaries and the store only counts; the key outlives its window by less
   * than one window and then expires.
   */
  private fixedWindow(m: RateMeta, serverId: string, subject: string, now: number, open: boolean): Step {
    const index = Math.floor(now / m.windowMs);
    const limiter = (m.limiter ??= this.window(`w/${m.rule.limit}/${m.rule.windowSec}`, m.rule.limit, m.rule.windowSec));
    const key = `${this.prefix}${m.keyBase}${serverId}:${subject}:${index}`;
    return this.count(limiter, key, undefined, m.text, "rate_limited", retrySec((index + 1) * m.windowMs - now), open);
  }

  private tokenBucket(m: RateMeta, serverId: string, subject: string, now: number, open: boolean): Step {
    if (this.redis === undefined || this.redisBuckets === undefined)
      return bucketRefusal(m, this.memoryBuckets.take(m.keyBase, serverId, subject, m.rule.limit, m.perMs, now));
    if (!this.redis.usable()) return unchecked("rate_limited", m.text, open, "store_down");
    return this.redisBuckets.take(`${this.prefix}${m.keyBase}${serverId}:${subject}`, m.rule.limit, m.perMs, now).then(
      (waitMs) => bucketRefusal(m, waitMs),
      (e: unknown) => {
        this.redis?.failed("token-bucket", e);
        return unchecked("rate_limited", m.text, open, failureReason(e));
      },
    );
  }

  private count(
    limiter: RateLimiterAbstract,
    key: string,
    options: { customDuration: number } | undefined,
    text: string,
    kind: Refusal["kind"],
    retryAfterSec: number,
    open: boolean,
  ): Step {
    // While Redis is known to be down, the rule is decided at once (see the class comment).
    if (this.redis !== undefined && !this.redis.usable()) return unchecked(kind, text, open, "store_down");
    return limiter.consume(key, 1, options).then(toUndefined, (e: unknown): Refusal | undefined => {
      if (e instanceof RateLimiterRes) return { allowed: false, kind, rule: text, retryAfterSec };
      this.redis?.failed(kind === "rate_limited" ? "fixed-window" : "quota", e);
      return unchecked(kind, text, open, failureReason(e));
    });
  }

  private window(id: string, points: number, duration: number): RateLimiterAbstract {
    let limiter = this.windows.get(id);
    if (limiter === undefined) {
      limiter = this.redis
        ? new RateLimiterRedis({ storeClient: this.redis.client, points, duration, keyPrefix: "" })
        : new RateLimiterMemory({ points, duration, keyPrefix: "" });
      this.windows.set(id, limiter);
    }
    return limiter;
  }

  private period(kind: QuotaRule["period"], now: number): Period {
    const cached = this.periods[kind];
    if (cached !== undefined && now >= cached.start && now < cached.end) return cached;
    return (this.periods[kind] = periodOf(kind, now));
  }
}

/**
 * Rate limits and quotas of gateway calls, in process memory, or in Redis when `redisUrl` is given
 * (then shared by every replica). `timeoutMs` bounds each Redis command (default 100 ms).
 */
export function createLimiter(opts: { redisUrl?: string; keyPrefix?: string; timeoutMs?: number }): Limiter {
  return new StoreLimiter(opts);
}
