import { isDatabaseUnavailable } from "../db/unavailable";

/**
 * How long past its time to live a cached gateway decision input (a server's context, a token's
 * caller) is still used while Postgres cannot be reached. Long enough to ride out a database restart
 * or failover; short enough that a revoked token or a tightened rule does not linger unseen for long.
 */
export const STALE_GRACE_MS = 60_000;
/** While the database is unreachable, a stale value is reused this long before the next load attempt. */
const OUTAGE_RECHECK_MS = 1_000;

/**
 * A per-replica cache of loaded values with a time to live: concurrent callers share one load, failed
 * loads are not cached, and while the database is unreachable the last value loaded is served for up
 * to `graceMs` beyond its time to live (then the failure goes through).
 */
export class GraceCache<V> {
  private readonly loading = new Map<string, { at: number; value: Promise<V> }>();
  private readonly good = new Map<string, { at: number; value: V }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly graceMs = STALE_GRACE_MS,
  ) {}

  get(key: string, load: () => Promise<V>, now = Date.now()): Promise<V> {
    const hit = this.loading.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.value;
    const entry = { at: now, value: undefined as unknown as Promise<V> };
    entry.value = load().then(
      (v) => {
        this.bounded(this.good).set(key, { at: Date.now(), value: v });
        return v;
      },
      (e: unknown) => {
        if (this.loading.get(key) === entry) this.loading.delete(key);
        const last = this.good.get(key);
        const staleUntil = (last?.at ?? 0) + this.ttlMs + this.graceMs;
        if (!last || !isDatabaseUnavailable(e) || Date.now() >= staleUntil) throw e;
        // Served stale; the next load is tried a second from now rather than on every request.
        this.loading.set(key, { at: Math.min(Date.now() + OUTAGE_RECHECK_MS, staleUntil) - this.ttlMs, value: Promise.resolve(last.value) });
        return last.value;
      },
    );
    this.bounded(this.loading).set(key, entry);
    return entry.value;
  }

  delete(key: string): void {
    this.loading.delete(key);
    this.good.delete(key);
  }

  private bounded<T>(m: Map<string, T>): Map<string, T> {
    if (m.size >= this.maxEntries) m.delete(m.keys().next().value!);
    return m;
  }
}
