import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { GET as getUsageRoute } from "@/app/api/usage/route";
import { setServerVisibility } from "@/lib/access/server-visibility";
import { addClaim, addMember, createTeam } from "@/lib/access/teams";
import type { Principal } from "@/lib/auth/principal";
import type { Scope } from "@/lib/auth/scopes";
import { createToken } from "@/lib/auth/tokens";
import { createUser } from "@/lib/auth/users";
import { usageSchemas } from "@/lib/contracts/openapi-usage";
import type { UsageReport } from "@/lib/contracts/usage-api";
import { db } from "@/lib/db/client";
import { usageReport, usageServers } from "@/lib/gateway/usage-query";
import { createUsageRecorder, type UsageRecord } from "@/lib/gateway/usage-recorder";
import { componentValidators } from "../support/openapi-schemas";
import { adminPrincipal, allowLoopbackAndKey, publishRemote } from "../support/probing";

vi.mock("@/lib/auth/session", () => ({ sessionPrincipal: async () => ({ kind: "anonymous" }) }));

/*
 * The usage recorder against a real Postgres (every record becomes exactly one row, under bursts, after
 * a server is deleted, on close) and the usage report (its numbers against the rows inserted, and who
 * may read which server's usage).
 */

const A = "io.github.acme/usage-a"; // org-visible, owned by acme
const PRIV = "io.github.acme/usage-private"; // private to acme
const OTHER = "com.other/usage-b"; // owned by other
const DOOMED = "io.github.acme/usage-doomed"; // deleted mid-test
const schema = componentValidators({ components: { schemas: usageSchemas() } }, "toolshed-usage");

const users: Record<string, Principal & { kind: "user" }> = {};
const serverIds: Record<string, string> = {};
const tokens: Record<string, string> = {};

const event = (serverId: string, extra: Partial<UsageRecord> = {}): UsageRecord => ({
  serverId,
  tokenId: null,
  userId: null,
  method: "tools/call",
  toolName: "search",
  outcome: "OK",
  status: 200,
  latencyMs: 12,
  bytesIn: 100,
  bytesOut: 400,
  cacheHit: false,
  ip: "127.0.0.1",
  decision: "allowed",
  traceId: null,
  ...extra,
});
const rowsWith = (method: string) => db().usageEvent.count({ where: { method } });

beforeAll(async () => {
  allowLoopbackAndKey();
  const admin = await adminPrincipal("usage-admin@example.com");
  users.admin = admin;
  for (const u of ["maint", "viewer", "outsider", "loner", "gone"]) {
    const row = await createUser("cli", { email: `usage-${u}@example.com`, password: "correct horse battery", role: "member" });
    users[u] = { kind: "user", userId: row.id, email: row.email, role: "MEMBER" };
  }
  await createTeam(admin, { slug: "acme", name: "Acme" });
  await createTeam(admin, { slug: "other", name: "Other" });
  await addMember(admin, "acme", { email: users.maint.email, role: "maintainer" });
  await addMember(admin, "acme", { email: users.viewer.email, role: "viewer" });
  await addMember(admin, "other", { email: users.outsider.email, role: "owner" });
  await addClaim(admin, "acme", { prefix: "io.github.acme/*" });
  await addClaim(admin, "other", { prefix: "com.other/*" });
  for (const [i, name] of [A, PRIV, OTHER, DOOMED].entries()) {
    await publishRemote(admin, name, `http://127.0.0.1:9/mcp?usage=${i}`);
    serverIds[name] = (await db().server.findUniqueOrThrow({ where: { name } })).id;
  }
  await setServerVisibility(admin, PRIV, { visibility: "private" });
  const token = async (who: string, scopes: Scope[]) => (await createToken("cli", users[who].userId, { name: scopes.join("+"), scopes })).token;
  tokens.maintRead = await token("maint", ["registry:read"]);
  tokens.maintInvoke = await token("maint", ["gateway:invoke"]);
  tokens.adminRead = await token("admin", ["registry:read"]);
}, 60_000);

afterAll(async () => {
  await db().usageEvent.deleteMany({});
});

describe("usage recorder", () => {
  it("writes exactly one row per record under concurrent bursts (20,000 records)", async () => {
    const rec = createUsageRecorder({ flushMs: 20, maxBatch: 500 });
    const producers = 8;
    const perProducer = 2_500;
    let flushes = 0;
    await Promise.all(
      Array.from({ length: producers }, async (_, p) => {
        for (let i = 0; i < perProducer; ) {
          const burst = Math.min(perProducer - i, 1 + ((i * 7919 + p * 104729) % 700));
          for (let j = 0; j < burst; j++, i++) rec.record(event(serverIds[A], { method: "burst", traceId: `${p}-${i}`, latencyMs: i % 97 }));
          if (i % 3 === 0) {
            flushes++;
            void rec.flush();
          }
          await new Promise((r) => setTimeout(r, i % 5));
        }
      }),
    );
    expect(rec.pending).toBeGreaterThanOrEqual(0);
    await rec.close();
    expect({ written: rec.written, dropped: rec.dropped, skipped: rec.skipped, pending: rec.pending }).toEqual({ written: 20_000, dropped: 0, skipped: 0, pending: 0 });
    expect(await rowsWith("burst")).toBe(20_000);
    const distinct = await db().$queryRaw<{ n: number }[]>`SELECT count(DISTINCT "traceId")::int AS n FROM "UsageEvent" WHERE method = 'burst'`;
    expect(distinct[0].n).toBe(20_000); // no record written twice
    expect(flushes).toBeGreaterThan(0);
  }, 60_000);

  it("keeps going when a server is deleted (its events are skipped, not the batch) and nulls vanished users and tokens", async () => {
    const rec = createUsageRecorder({ flushMs: 60_000, maxBatch: 10_000 });
    const gone = users.gone;
    const goneToken = (await createToken("cli", gone.userId, { name: "gone", scopes: ["gateway:invoke"] })).view.id;
    for (let i = 0; i < 300; i++) rec.record(event(serverIds[i % 3 === 0 ? DOOMED : A], { method: "doomed-mix", userId: i % 2 ? gone.userId : users.maint.userId, tokenId: i % 2 ? goneToken : null }));
    await db().server.delete({ where: { id: serverIds[DOOMED] } });
    await db().user.delete({ where: { id: gone.userId } });
    await rec.flush();
    expect({ written: rec.written, skipped: rec.skipped, dropped: rec.dropped }).toEqual({ written: 200, skipped: 100, dropped: 0 });
    const rows = await db().usageEvent.findMany({ where: { method: "doomed-mix" }, select: { serverId: true, userId: true, tokenId: true } });
    expect(rows).toHaveLength(200);
    expect(rows.every((r) => r.serverId === serverIds[A])).toBe(true);
    expect(rows.filter((r) => r.userId === null)).toHaveLength(100);
    expect(rows.every((r) => r.tokenId === null)).toBe(true);
    // Later events are written as usual.
    rec.record(event(serverIds[A], { method: "doomed-after" }));
    await rec.close();
    expect(await rowsWith("doomed-after")).toBe(1);
  });

  it("holds a partial batch until close(), which writes everything", async () => {
    const rec = createUsageRecorder({ flushMs: 60_000, maxBatch: 5_000 });
    for (let i = 0; i < 1_234; i++) rec.record(event(serverIds[A], { method: "on-close" }));
    expect(rec.pending).toBe(1_234);
    await new Promise((r) => setTimeout(r, 50));
    expect(await rowsWith("on-close")).toBe(0);
    await rec.close();
    expect(rec.pending).toBe(0);
    expect(await rowsWith("on-close")).toBe(1_234);
  });

  it("counts what does not fit in the queue as dropped, never throwing into the caller", async () => {
    const rec = createUsageRecorder({ flushMs: 60_000, maxBatch: 1_000, maxQueue: 100 });
    for (let i = 0; i < 150; i++) rec.record(event(serverIds[A], { method: "overflow" }));
    rec.record({ ...event(serverIds[A]), serverId: undefined as unknown as string }); // unrecordable
    expect(rec.dropped).toBe(51);
    await rec.close();
    expect(await rowsWith("overflow")).toBe(100);
  });

  it("stores values Postgres refuses in text and jsonb (NUL, lone surrogates, BigInt) in a cleaned form", async () => {
    const rec = createUsageRecorder({ flushMs: 60_000 });
    rec.record(event(serverIds[A], { method: "dirty", toolName: "a\u0000b", payload: { text: "x\u0000y\ud800", "k\u0000": 1 } }));
    rec.record(event(serverIds[A], { method: "dirty", payload: { big: 1n } }));
    await rec.close();
    expect(rec.written).toBe(2);
    const rows = await db().usageEvent.findMany({ where: { method: "dirty" }, orderBy: { id: "asc" } });
    expect(rows[0].toolName).toBe("a\uFFFDb");
    expect(rows[0].payload).toEqual({ text: "x\uFFFDy\uFFFD", "k\uFFFD": 1 });
    expect(rows[1].payload).toEqual({ unserializable: expect.stringMatching(/BigInt/i) });
  });

  it("retries a failing write, then drops and counts the batch; flush never rejects", async () => {
    const client = db();
    const spy = vi.spyOn(client, "$executeRaw");
    spy.mockRejectedValueOnce(new Error("connection reset")).mockRejectedValueOnce(new Error("connection reset"));
    const rec = createUsageRecorder({ flushMs: 60_000, retryDelaysMs: [1, 1, 1] });
    for (let i = 0; i < 10; i++) rec.record(event(serverIds[A], { method: "retried" }));
    await rec.flush();
    expect({ written: rec.written, dropped: rec.dropped }).toEqual({ written: 10, dropped: 0 });
    spy.mockRejectedValue(new Error("database is gone"));
    for (let i = 0; i < 10; i++) rec.record(event(serverIds[A], { method: "lost" }));
    await expect(rec.close()).resolves.toBeUndefined();
    expect({ written: rec.written, dropped: rec.dropped, pending: rec.pending }).toEqual({ written: 10, dropped: 10, pending: 0 });
    spy.mockRestore();
    expect(await rowsWith("retried")).toBe(10);
  });
});

// ─────────────────────────────── the report ───────────────────────────────

/** percentile_cont: linear interpolation between the two closest ranks. */
function percentile(values: number[], p: number): number | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  const pos = p * (s.length - 1);
  const lo = Math.floor(pos);
  const v = s[lo] + (pos - lo) * (s[Math.ceil(pos)] - s[lo]);
  return Math.round(v * 10) / 10;
}

const NOW = new Date("2026-11-20T12:00:00.000Z");
const at = (minutesBefore: number) => new Date(NOW.getTime() - minutesBefore * 60_000);
const DENIED = new Set(["UNAUTHENTICATED", "FORBIDDEN", "RATE_LIMITED", "QUOTA_EXCEEDED", "BLOCKED"]);
const ERRORS = new Set(["UPSTREAM_ERROR", "ERROR"]);

describe("usage report", () => {
  const seeded: UsageRecord[] = [];

  beforeAll(async () => {
    const outcomes = ["OK", "OK", "OK", "OK", "UPSTREAM_ERROR", "RATE_LIMITED", "OK", "FORBIDDEN", "ERROR", "OK"] as const;
    for (let i = 0; i < 400; i++) {
      const outcome = outcomes[i % outcomes.length];
      seeded.push(
        event(serverIds[A], {
          toolName: i % 4 === 3 ? null : ["search", "fetch", "search"][i % 3],
          method: i % 4 === 3 ? "tools/list" : "tools/call",
          outcome,
          userId: i % 5 === 0 ? null : i % 2 ? users.maint.userId : users.viewer.userId,
          latencyMs: DENIED.has(outcome) ? 1 : 5 + ((i * 37) % 290),
          bytesIn: 10 + i,
          bytesOut: 1000,
          cacheHit: i % 6 === 0,
          decision: DENIED.has(outcome) ? outcome.toLowerCase() : "allowed",
          createdAt: at(5 + (i % 170)),
        }),
      );
    }
    for (let i = 0; i < 50; i++) seeded.push(event(serverIds[PRIV], { createdAt: at(30 + i), userId: users.maint.userId, latencyMs: 40 + i }));
    for (let i = 0; i < 30; i++) seeded.push(event(serverIds[OTHER], { createdAt: at(60 + i), userId: users.outsider.userId, latencyMs: 7 }));
    seeded.push(event(serverIds[A], { createdAt: at(60 * 24 * 3), latencyMs: 9999 })); // outside the range
    const rec = createUsageRecorder();
    for (const e of seeded) rec.record(e);
    await rec.close();
    expect(rec.written).toBe(seeded.length);
  });

  const range = { from: at(180).toISOString(), to: NOW.toISOString() };
  const inRange = (server: string) => seeded.filter((e) => e.serverId === serverIds[server] && e.createdAt! >= at(180) && e.createdAt! < NOW);
  const timed = (es: UsageRecord[]) => es.filter((e) => !DENIED.has(e.outcome)).map((e) => e.latencyMs);

  it("matches the inserted rows: totals, series, by tool, by caller, by outcome and decision", async () => {
    const r = await usageReport(users.admin, { server: A, ...range }, NOW);
    expect(schema("UsageReport")(r), JSON.stringify(schema("UsageReport").errors)).toBe(true);
    const rows = inRange(A);
    expect(rows).toHaveLength(400);
    expect(r.bucket).toBe("minute");
    expect(r.server).toBe(A);
    expect(r.totals).toEqual({
      calls: 400,
      errors: rows.filter((e) => ERRORS.has(e.outcome)).length,
      denied: rows.filter((e) => DENIED.has(e.outcome)).length,
      cacheHits: rows.filter((e) => e.cacheHit).length,
      p50Ms: percentile(timed(rows), 0.5),
      p95Ms: percentile(timed(rows), 0.95),
      bytesIn: rows.reduce((a, e) => a + e.bytesIn, 0),
      bytesOut: 400_000,
    });
    expect(r.series).toHaveLength(180);
    expect(r.series.reduce((a, p) => a + p.calls, 0)).toBe(400);
    expect(r.series.reduce((a, p) => a + p.errors, 0)).toBe(r.totals.errors);
    const minute = at(5 + 17);
    const point = r.series.find((p) => p.t === minute.toISOString())!;
    const there = rows.filter((e) => e.createdAt!.getTime() === minute.getTime());
    expect(point).toEqual({ t: minute.toISOString(), calls: there.length, errors: there.filter((e) => ERRORS.has(e.outcome)).length, denied: there.filter((e) => DENIED.has(e.outcome)).length, p50Ms: percentile(timed(there), 0.5), p95Ms: percentile(timed(there), 0.95) });

    for (const tool of ["search", "fetch"]) {
      const es = rows.filter((e) => e.toolName === tool);
      expect(r.byTool.find((t) => t.tool === tool)).toEqual({ tool, calls: es.length, errors: es.filter((e) => ERRORS.has(e.outcome)).length, p95Ms: percentile(timed(es), 0.95) });
    }
    expect(r.byTool.map((t) => t.tool)).toEqual(["search", "fetch"]);
    const byCaller = Object.fromEntries(r.byCaller.map((c) => [c.caller, c]));
    for (const who of ["maint", "viewer"]) {
      const es = rows.filter((e) => e.userId === users[who].userId);
      expect(byCaller[users[who].email]).toEqual({ caller: users[who].email, calls: es.length, denied: es.filter((e) => DENIED.has(e.outcome)).length });
    }
    const anonymous = rows.filter((e) => e.userId === null);
    expect(byCaller["deleted user"].calls).toBe(anonymous.length);
    expect(r.byOutcome.reduce((a, o) => a + o.calls, 0)).toBe(400);
    expect(r.byOutcome.find((o) => o.outcome === "rate_limited")!.calls).toBe(rows.filter((e) => e.outcome === "RATE_LIMITED").length);
    expect(r.byDecision.find((d) => d.decision === "allowed")!.calls).toBe(rows.filter((e) => e.decision === "allowed").length);
    expect(r.byMethod).toEqual([
      { method: "tools/call", calls: 300 },
      { method: "tools/list", calls: 100 },
    ]);
    expect(r.servers).toBeUndefined();

    const hourly = await usageReport(users.admin, { server: A, ...range, bucket: "hour" }, NOW);
    expect(hourly.series.map((p) => p.t)).toEqual(["2026-11-20T09:00:00.000Z", "2026-11-20T10:00:00.000Z", "2026-11-20T11:00:00.000Z"]);
    expect(hourly.totals).toEqual(r.totals);
  });

  it("org admins see every server; managers the servers of their teams; others none", async () => {
    const all = await usageReport(users.admin, range, NOW);
    expect(all.totals.calls).toBe(480);
    expect(all.servers).toEqual([
      { name: A, calls: 400 },
      { name: PRIV, calls: 50 },
      { name: OTHER, calls: 30 },
    ]);
    const maint = await usageReport(users.maint, range, NOW);
    expect(maint.totals.calls).toBe(450);
    expect(maint.servers!.map((s) => s.name)).toEqual([A, PRIV]);
    expect(await usageServers(users.maint, { from: at(180), to: NOW })).toEqual([
      { name: A, calls: 400 },
      { name: PRIV, calls: 50 },
    ]);
    const outsider = await usageReport(users.outsider, range, NOW);
    expect(outsider.servers).toEqual([{ name: OTHER, calls: 30 }]);
    for (const who of ["viewer", "loner"]) {
      const r = await usageReport(users[who], range, NOW);
      expect(r.totals.calls, who).toBe(0);
      expect(r.servers, who).toEqual([]);
      expect(r.series.every((p) => p.calls === 0)).toBe(true);
    }
  });

  it("answers 401, 403 and 404 as the rules say, and 400 with field errors for bad parameters", async () => {
    const call = async (query: string, token?: string) => {
      const res = await getUsageRoute(new Request(`http://localhost/api/usage?${query}`, { headers: token ? { authorization: `Bearer ${token}` } : {} }), { params: Promise.resolve({}) });
      return { status: res.status, type: res.headers.get("content-type"), body: await res.json() };
    };
    const q = (server: string) => `server=${encodeURIComponent(server)}&from=${range.from}&to=${range.to}`;
    expect((await call(q(A))).status).toBe(401);
    const ok = await call(q(A), tokens.maintRead);
    expect(ok.status).toBe(200);
    expect((ok.body as UsageReport).totals.calls).toBe(400);
    expect((await call(q(A), tokens.maintInvoke)).status).toBe(403); // the token lacks registry:read
    expect((await call(q(OTHER), tokens.maintRead)).status).toBe(403); // visible (org), not managed
    expect((await call(q("com.other/nope"), tokens.maintRead)).status).toBe(404);
    expect((await call(q(OTHER), tokens.adminRead)).status).toBe(200);
    const bad = await call("from=yesterday&bucket=week&extra=1", tokens.adminRead);
    expect(bad.status).toBe(400);
    expect(bad.type).toBe("application/problem+json");
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(["", "/bucket", "/from"]);
    const backwards = await call(`from=${range.to}&to=${range.from}`, tokens.adminRead);
    expect(backwards.body.errors).toEqual([{ pointer: "/to", message: "must be later than from" }]);
    const tooFine = await call(`from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z&bucket=minute`, tokens.adminRead);
    expect(tooFine.body.errors[0].pointer).toBe("/bucket");
  });

  it("hides a private server from members of other teams (404) and refuses it to its own viewers (403)", async () => {
    await expect(usageReport(users.outsider, { server: PRIV }, NOW)).rejects.toMatchObject({ status: 404 });
    await expect(usageReport(users.loner, { server: PRIV }, NOW)).rejects.toMatchObject({ status: 404 });
    await expect(usageReport(users.viewer, { server: PRIV }, NOW)).rejects.toMatchObject({ status: 403 });
    await expect(usageReport(users.loner, { server: A }, NOW)).rejects.toMatchObject({ status: 403 });
    await expect(usageReport({ kind: "anonymous" }, { server: A }, NOW)).rejects.toMatchObject({ status: 401 });
    const r = await usageReport(users.maint, { server: PRIV, ...range }, NOW);
    expect(r.totals).toMatchObject({ calls: 50, p50Ms: percentile(timed(inRange(PRIV)), 0.5) });
  });

  it("reports an empty range with every bucket at zero", async () => {
    const r = await usageReport(users.admin, { server: A, from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z" }, NOW);
    expect(r.totals.calls).toBe(0);
    expect(r.bucket).toBe("hour");
    expect(r.series).toHaveLength(24);
    expect(r.byTool).toEqual([]);
  });
});
