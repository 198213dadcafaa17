import { beforeAll, describe, expect, it } from "vitest";
import { addClaim, createTeam } from "@/lib/access/teams";
import type { VisibilityScope } from "@/lib/access/visibility";
import { db } from "@/lib/db/client";
import { recordProbe } from "@/lib/probing/store";
import { changeServerStatus, publish } from "@/lib/registry/service";
import { buildDocuments } from "@/lib/search/documents";
import { flushSearchIndex } from "@/lib/search/freshness";
import { checkIndex, drainOutbox, reindexAll, searchIndex } from "@/lib/search/indexer";
import { PostgresSearchIndex } from "@/lib/search/postgres";
import type { ServerQuery } from "@/lib/search/types";
import { adminPrincipal } from "../support/probing";
import { listingOf } from "../support/search-corpus";

/*
 * The real flow: registry writes and probes enqueue through the outbox triggers, drainOutbox builds
 * documents from Postgres and indexes them; reindexAll and checkIndex over the same data.
 */

const SCHEMA = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json";
const OUTSIDER: VisibilityScope = { all: false, orgPublic: true, teamIds: [], unapproved: false };
const index = new PostgresSearchIndex();
let admin: Awaited<ReturnType<typeof adminPrincipal>>;
let acmeId: string;

const entry = (name: string, title: string, description: string, version = "1.0.0") => ({
  $schema: SCHEMA,
  name,
  title,
  description,
  version,
  packages: [{ registryType: "npm", identifier: `@acme/${name.split("/")[1]}`, version, transport: { type: "stdio" } }],
  _meta: { "io.modelcontextprotocol.registry/publisher-provided": { tags: ["support"], category: "productivity" } },
});

const find = (q: string, over: Partial<ServerQuery> = {}) =>
  index.searchServers({ q, filters: {}, sort: "relevance", offset: 0, limit: 20, scope: { all: true }, facets: [], ...over });
const outboxCount = async () => (await db().$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM "SearchOutbox"`)[0].n;
const serverId = async (name: string) => (await db().server.findUniqueOrThrow({ where: { name } })).id;

beforeAll(async () => {
  admin = await adminPrincipal();
  acmeId = (await createTeam(admin, { slug: "acme", name: "Acme" })).id;
  await addClaim(admin, "acme", { prefix: "io.github.acme/*" });
  await index.ensureReady();
});

describe("search indexer", () => {
  it("the configured index is the Postgres one", () => {
    expect(searchIndex().kind).toBe("postgres");
  });

  // Registry writes also start a background drain (lib/search/freshness.ts); drainOutbox waits for
  // batches other drainers have in flight, so after it returns everything written before is indexed.
  it("publishing enqueues; draining makes it searchable and empties the outbox", async () => {
    await publish(admin, entry("io.github.acme/helpdesk", "Acme Helpdesk", "Open and triage support tickets"));
    await publish(admin, entry("io.github.other/weather", "Weather", "Forecasts for any city"));
    await drainOutbox(index);
    expect(await outboxCount()).toBe(0);
    const r = await find("ticket");
    expect(r.hits.map((h) => h.name)).toEqual(["io.github.acme/helpdesk"]);
    expect(r.hits[0]).toMatchObject({ team: "acme", latestVersion: "1.0.0", health: "unknown", reviewState: "approved", status: "active", tags: ["support"] });
    expect(await drainOutbox(index)).toBe(0);
  });

  it("the triggers enqueue indexed changes only: a health change does, probe bookkeeping does not", async () => {
    await flushSearchIndex(); // no background drain from here on: direct writes do not start one
    const id = await serverId("io.github.other/weather");
    await db().server.update({ where: { id }, data: { lastProbedAt: new Date(), nextProbeAt: new Date(), probeFailures: 3, uptime30d: 50 } });
    expect(await outboxCount()).toBe(0);
    await db().server.update({ where: { id }, data: { health: "DOWN" } });
    expect(await outboxCount()).toBe(1);
    expect(await drainOutbox(index)).toBe(1);
    expect((await find("weather")).hits[0]).toMatchObject({ name: "io.github.other/weather", health: "down" });
  });

  it("a new version replaces the indexed one", async () => {
    await publish(admin, entry("io.github.acme/helpdesk", "Acme Helpdesk", "Open, triage and escalate support tickets", "1.1.0"));
    await drainOutbox(index);
    expect((await find("escalate")).hits[0]).toMatchObject({ name: "io.github.acme/helpdesk", latestVersion: "1.1.0" });
  });

  it("a recorded probe indexes the tools and health; probe bookkeeping alone enqueues nothing", async () => {
    const id = await serverId("io.github.acme/helpdesk");
    const version = await db().serverVersion.findFirstOrThrow({ where: { serverId: id, isLatest: true } });
    const tools = [
      { name: "create_ticket", description: "Create a support ticket", inputSchema: { type: "object", properties: { subject: { type: "string", description: "Short summary" } } } },
      { name: "close_ticket", description: "Close a ticket as resolved", inputSchema: { type: "object", properties: {} } },
    ];
    const ctx = { serverId: id, versionId: version.id, endpointUrl: "https://helpdesk.example/mcp", transport: "STREAMABLE_HTTP" as const, trigger: "MANUAL" as const,
      server: { health: "UP" as const, nextProbeAt: new Date(Date.now() + 900_000), failures: 0, changed: null } };
    await recordProbe({ ...ctx, startedAt: new Date() }, listingOf(tools));
    await drainOutbox(index);
    const r = await find("resolved");
    expect(r.hits[0]).toMatchObject({ name: "io.github.acme/helpdesk", health: "up", toolCount: 2 });
    expect(r.hits[0].matchedTools.map((t) => t.name)).toEqual(["close_ticket"]);
    expect((await index.searchTools({ q: "summary", filters: {}, offset: 0, limit: 10, scope: OUTSIDER })).hits.map((h) => h.name)).toEqual(["create_ticket"]);

    // The same listing again: only lastProbedAt, nextProbeAt and uptime change, which are not indexed.
    await recordProbe({ ...ctx, startedAt: new Date() }, listingOf(tools));
    expect(await outboxCount()).toBe(0);
  });

  it("visibility and team changes reach the index", async () => {
    const id = await serverId("io.github.acme/helpdesk");
    await db().server.update({ where: { id }, data: { visibility: "PRIVATE" } });
    await drainOutbox(index);
    expect((await find("helpdesk", { scope: OUTSIDER })).total).toBe(0);
    expect((await find("helpdesk", { scope: { all: false, orgPublic: true, teamIds: [acmeId], unapproved: false } })).total).toBe(1);

    await db().team.update({ where: { id: acmeId }, data: { slug: "acme-corp" } });
    await drainOutbox(index);
    expect((await find("helpdesk")).hits[0].team).toBe("acme-corp");
    await db().server.update({ where: { id }, data: { visibility: "ORG" } });
    await drainOutbox(index);
    expect((await find("helpdesk", { scope: OUTSIDER })).total).toBe(1);
  });

  it("a deleted server leaves the index", async () => {
    await publish(admin, entry("io.github.acme/doomed", "Doomed", "Soon deleted"));
    await drainOutbox(index);
    expect((await find("doomed")).total).toBe(1);
    await changeServerStatus(admin, "io.github.acme/doomed", { status: "deleted" });
    await drainOutbox(index);
    expect((await find("doomed")).total).toBe(0);
    expect((await buildDocuments([await serverId("io.github.acme/doomed"), "no-such-id"])).gone).toHaveLength(2);
  });

  it("several drainers side by side: each outbox row handled once, all indexed", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) await publish(admin, entry(`io.github.other/bulk-${i}`, `Bulk ${i}`, "Bulk entry"));
    await flushSearchIndex();
    for (let i = 0; i < 30; i++) ids.push(await serverId(`io.github.other/bulk-${i}`));
    // Direct writes (no background drain): 30 health changes, then three drainers at once.
    for (const id of ids) await db().server.update({ where: { id }, data: { health: "DEGRADED" } });
    expect(await outboxCount()).toBe(30);
    const counts = await Promise.all([drainOutbox(index), drainOutbox(index), drainOutbox(index)]);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(30);
    expect(await outboxCount()).toBe(0);
    expect((await find("bulk", { limit: 50, filters: { health: ["degraded"] } })).total).toBe(30);
  });

  it("reindexAll rebuilds with progress; checkIndex finds tampering and nothing after a rebuild", async () => {
    const progress: [number, number][] = [];
    await publish(admin, entry("io.github.other/late", "Late", "Queued before the rebuild"));
    const { indexed } = await reindexAll((done, total) => progress.push([done, total]), index);
    const live = await db().server.count({ where: { status: { not: "DELETED" } } });
    expect(indexed).toBe(live);
    expect(progress[0]).toEqual([0, live]);
    expect(progress.at(-1)).toEqual([live, live]);
    expect(await outboxCount()).toBe(0);
    expect(await checkIndex(index)).toEqual({ missing: [], extra: [], stale: [] });

    await db().$executeRaw`UPDATE "SearchServer" SET digest = 'tampered' WHERE name = 'io.github.acme/helpdesk'`;
    await db().$executeRaw`DELETE FROM "SearchServer" WHERE name = 'io.github.other/weather'`;
    await db().$executeRaw`INSERT INTO "SearchServer" (id, name, visibility, "reviewState", health, status, "latestVersion", "updatedAt", "toolCount", digest)
                           VALUES ('ghost', 'io.github.other/ghost', 'ORG', 'approved', 'up', 'active', '1.0.0', now(), 0, 'x')`;
    expect(await checkIndex(index)).toEqual({ missing: ["io.github.other/weather"], extra: ["ghost"], stale: ["io.github.acme/helpdesk"] });
    await reindexAll(undefined, index);
    expect(await checkIndex(index)).toEqual({ missing: [], extra: [], stale: [] });
  });
});
