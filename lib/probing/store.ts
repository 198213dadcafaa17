import { randomUUID } from "node:crypto";
import { Prisma } from "@/generated/prisma/client";
import { db } from "../db/client";
import { diffDefinitions, type Def } from "./drift";
import type { ProbeResult } from "./probe";
import { refreshReviewFlags } from "../registry/store";
import { stateAfterProbe, type ReviewState } from "../review/rules";
import { isReachable, type Outcome } from "./schedule";

type Tx = Prisma.TransactionClient;

/** Where a probe result came from. `endpointUrl` is the URL as published, without filled-in variables. */
export interface ProbeContext {
  serverId: string;
  versionId: string;
  endpointUrl: string;
  transport: "STREAMABLE_HTTP" | "SSE";
  trigger: "SCHEDULED" | "MANUAL" | "PUBLISH";
  startedAt: Date;
  /**
   * Given on the last probe of a run, which is one of the latest version's: the server's health and
   * schedule after the whole run. `changed` is what the run's earlier probes of the latest version saw.
   */
  server?: { health: Outcome; nextProbeAt: Date; failures: number; changed: boolean | null };
}

export interface Recorded {
  probeId: string;
  toolSetId: string | null;
  /** Definition rows inserted by this probe (0 when the set was seen before). */
  definitionsWritten: number;
  toolSetCreated: boolean;
  driftEventId: string | null;
  /** This probe's listing compared with the approved set (null: no complete listing or nothing approved). */
  changed: boolean | null;
  /** The server's flag after this probe (only when it carried the server's update). */
  changedSinceApproval: boolean | null;
}

/** The window behind uptime30d and p50LatencyMs (probes older than the retention window are gone anyway). */
const HEALTH_WINDOW_DAYS = 30;
const TOOL_NAMES_IN_META = 50;
const REACHABLE = (["UP", "DEGRADED", "DOWN", "AUTH_REQUIRED", "ERROR"] as const).filter(isReachable);

const jsonText = (v: unknown) => JSON.stringify(v ?? null);
const sum = (...xs: (number | undefined)[]) => (xs.some((x) => x !== undefined) ? xs.reduce<number>((a, x) => a + (x ?? 0), 0) : null);

/** A listing the tool set can be built from: the server answered every list it advertises. */
export function isCompleteListing(r: ProbeResult): boolean {
  return (r.outcome === "UP" || r.outcome === "DEGRADED") && Boolean(r.toolSetFingerprint) && r.partial.length === 0;
}

/*
 * Written in SQL rather than through the ORM: this runs for every probe of every server, and on a
 * small machine the ORM's per-query work was most of the worker's CPU (bench/README.md, "Prober").
 */

/** Finds (and touches) or creates the ToolSet of this listing; definitions are inserted only when the set is new. */
async function upsertToolSet(tx: Tx, versionId: string, fingerprint: string, defs: ProbeResult["definitions"], now: Date) {
  const [seen] = await tx.$queryRaw<{ id: string }[]>`
    UPDATE "ToolSet" SET "lastSeenAt" = ${now}::timestamp WHERE "serverVersionId" = ${versionId} AND fingerprint = ${fingerprint} RETURNING id`;
  if (seen) return { id: seen.id, created: false, written: 0 };
  const rows = defs.map((d) => ({ id: randomUUID(), kind: d.kind, name: d.name, definition: d.definition, fingerprint: d.fingerprint }));
  // A definition already seen in another set of this version keeps its row and is marked seen now.
  const members = await tx.$queryRaw<{ id: string; inserted: boolean }[]>`
    INSERT INTO "ToolDefinition" (id, "serverVersionId", kind, name, definition, fingerprint, "firstSeenAt", "lastSeenAt")
    SELECT r.id, ${versionId}, r.kind::"DefinitionKind", r.name, r.definition, r.fingerprint, ${now}::timestamp, ${now}::timestamp
    FROM jsonb_to_recordset(${jsonText(rows)}::jsonb) AS r(id text, kind text, name text, definition jsonb, fingerprint text)
    ON CONFLICT ("serverVersionId", kind, name, fingerprint) DO UPDATE SET "lastSeenAt" = EXCLUDED."lastSeenAt"
    RETURNING id, (xmax = 0) AS inserted`;
  const setId = randomUUID();
  await tx.$executeRaw`
    INSERT INTO "ToolSet" (id, "serverVersionId", fingerprint, "firstSeenAt", "lastSeenAt") VALUES (${setId}, ${versionId}, ${fingerprint}, ${now}::timestamp, ${now}::timestamp)`;
  // Implicit many-to-many table of ToolSet.definitions: "A" = ToolDefinition.id, "B" = ToolSet.id.
  if (members.length) await tx.$executeRaw`INSERT INTO "_ToolSetMembers" ("A", "B") SELECT unnest(${members.map((m) => m.id)}::text[]), ${setId}`;
  return { id: setId, created: true, written: members.filter((m) => m.inserted).length };
}

async function definitionsOf(tx: Tx, versionId: string, fingerprint: string): Promise<Def[]> {
  const set = await tx.toolSet.findUnique({
    where: { serverVersionId_fingerprint: { serverVersionId: versionId, fingerprint } },
    select: { definitions: { select: { kind: true, name: true, definition: true, fingerprint: true } } },
  });
  return (set?.definitions ?? []).map((d) => ({ ...d, definition: d.definition as Record<string, unknown> }));
}

/**
 * Drift against the approved set: one event per (version, approved set, seen set) until someone
 * acknowledges it, so a server that stays changed is not reported on every probe.
 */
async function recordDrift(tx: Tx, ctx: ProbeContext, probeId: string, approved: string, seen: ProbeResult) {
  const after = seen.toolSetFingerprint!;
  const open = await tx.driftEvent.findFirst({
    where: { serverVersionId: ctx.versionId, beforeFingerprint: approved, afterFingerprint: after, acknowledgedAt: null },
    select: { id: true },
  });
  if (open) return null;
  const diff = diffDefinitions(await definitionsOf(tx, ctx.versionId, approved), seen.definitions);
  const event = await tx.driftEvent.create({
    data: { serverId: ctx.serverId, serverVersionId: ctx.versionId, probeId, beforeFingerprint: approved, afterFingerprint: after, diff: JSON.parse(jsonText(diff)), detectedAt: ctx.startedAt },
    select: { id: true },
  });
  return event.id;
}

async function insertProbe(tx: Tx, ctx: ProbeContext, r: ProbeResult, toolSetId: string | null): Promise<string> {
  const t = r.timings;
  const id = randomUUID();
  const optionalJson = (v: unknown) => (v === undefined ? null : jsonText(v));
  await tx.$executeRaw`
    INSERT INTO "Probe" (id, "serverId", "serverVersionId", "endpointUrl", transport, trigger, "startedAt", "finishedAt", outcome, error, "httpStatus",
                         "connectMs", "listMs", "totalMs", "protocolVersion", era, "serverInfo", capabilities, "toolSetId", "toolSetFingerprint",
                         "toolCount", "promptCount", "resourceCount", "resourceTemplateCount")
    VALUES (${id}, ${ctx.serverId}, ${ctx.versionId}, ${ctx.endpointUrl}, ${ctx.transport}::"UpstreamTransport", ${ctx.trigger}::"ProbeTrigger",
            ${ctx.startedAt}::timestamp, ${new Date(ctx.startedAt.getTime() + t.totalMs)}::timestamp, ${r.outcome}::"ProbeOutcome", ${r.error ?? null}, ${r.httpStatus ?? null}::int,
            ${t.connectMs ?? null}::int, ${sum(t.toolsMs, t.promptsMs, t.resourcesMs, t.resourceTemplatesMs)}::int, ${t.totalMs}::int, ${r.protocolVersion ?? null},
            ${r.era ?? null}::"ProtocolEra", ${optionalJson(r.serverInfo)}::jsonb, ${optionalJson(r.capabilities)}::jsonb, ${toolSetId}, ${r.toolSetFingerprint ?? null},
            ${r.counts.tools}::int, ${r.counts.prompts}::int, ${r.counts.resources}::int, ${r.counts.resourceTemplates}::int)`;
  return id;
}

/** Unknown (null) only when neither probe could compare with the approved set. */
const eitherChanged = (a: boolean | null, b: boolean | null) => (a === null ? b : b === null ? a : a || b);

/**
 * The server's row after a run: health, schedule, the "changed since approval" flag, and uptime and
 * p50 over the latest version's probes in the health window.
 */
async function updateServer(tx: Tx, ctx: ProbeContext, after: NonNullable<ProbeContext["server"]>, changed: boolean | null) {
  const since = new Date(ctx.startedAt.getTime() - HEALTH_WINDOW_DAYS * 86_400_000);
  const [server] = await tx.$queryRaw<{ changedSinceApproval: boolean }[]>`
    UPDATE "Server" s SET
      health = ${after.health}::"ProbeOutcome", "lastProbedAt" = ${ctx.startedAt}::timestamp, "nextProbeAt" = ${after.nextProbeAt}::timestamp,
      "probeFailures" = ${after.failures}::int, "changedSinceApproval" = COALESCE(${changed}::boolean, s."changedSinceApproval"),
      "uptime30d" = a.uptime, "p50LatencyMs" = a.p50
    FROM (
      SELECT round(100.0 * count(*) FILTER (WHERE outcome::text = ANY(${REACHABLE}::text[])) / greatest(count(*), 1), 2)::float8 AS uptime,
             (percentile_disc(0.5) WITHIN GROUP (ORDER BY "totalMs") FILTER (WHERE outcome IN ('UP', 'DEGRADED')))::int AS p50
      FROM "Probe" WHERE "serverVersionId" = ${ctx.versionId} AND "startedAt" > ${since}::timestamp
    ) a
    WHERE s.id = ${ctx.serverId}
    RETURNING s."changedSinceApproval"`;
  return server;
}

/**
 * Persists one probe of a server version in one transaction (serialised per version by a row lock):
 * the Probe row always; for a complete listing the ToolSet (definitions written only when the set is
 * new), the version's current set and denormalised tool columns, the approval pin and drift; and, on
 * the last probe of a run, the server's health, uptime, p50 and schedule.
 *
 * Approval pins the approved set: a version approved before it was ever probed has no approved
 * fingerprint yet, so the first complete listing after approval becomes the approved set.
 */
export async function recordProbe(ctx: ProbeContext, r: ProbeResult): Promise<Recorded> {
  return db().$transaction(async (tx) => {
    // A probe result can always be measured again: no need to wait for the WAL flush at commit (a crash
    // loses at most the last moment's probes), which keeps thousands of probes from queueing on fsync.
    await tx.$executeRaw`SET LOCAL synchronous_commit = off`;
    const [version] = await tx.$queryRaw<{ approvedFingerprint: string | null; reviewState: string; currentToolSetId: string | null }[]>`
      SELECT "approvedFingerprint", "reviewState"::text AS "reviewState", "currentToolSetId" FROM "ServerVersion" WHERE id = ${ctx.versionId} FOR UPDATE`;
    const now = ctx.startedAt;
    let toolSet: { id: string; created: boolean; written: number } | null = null;
    let approved = version?.approvedFingerprint ?? null;
    if (version && isCompleteListing(r)) {
      const fingerprint = r.toolSetFingerprint!;
      toolSet = await upsertToolSet(tx, ctx.versionId, fingerprint, r.definitions, now);
      const pin = approved === null && version.reviewState === "APPROVED";
      if (pin) approved = fingerprint;
      if (toolSet.id !== version.currentToolSetId || pin) {
        const tools = r.definitions.filter((d) => d.kind === "TOOL");
        await tx.$executeRaw`
          UPDATE "ServerVersion" SET "currentToolSetId" = ${toolSet.id}, "toolCount" = ${tools.length}::int,
            "toolNames" = ${tools.slice(0, TOOL_NAMES_IN_META).map((t) => t.name)}::text[], "toolSetFingerprint" = ${fingerprint},
            "approvedFingerprint" = COALESCE("approvedFingerprint", ${pin ? fingerprint : null})
          WHERE id = ${ctx.versionId}`; // updatedAt stays: it is the registry's (publish and status changes), not the prober's
      }
    }
    const probeId = await insertProbe(tx, ctx, r, toolSet?.id ?? null);
    let driftEventId: string | null = null;
    let changed: boolean | null = null;
    if (toolSet && approved) {
      changed = r.toolSetFingerprint !== approved;
      if (changed) driftEventId = await recordDrift(tx, ctx, probeId, approved, r);
    }
    // Drift moves an approved version to CHANGED (withheld from IDEs until re-approved); the approved set coming back undoes it.
    const state = version ? stateAfterProbe(version.reviewState as ReviewState, changed) : null;
    if (version && state !== version.reviewState) {
      await tx.$executeRaw`UPDATE "ServerVersion" SET "reviewState" = ${state}::"ReviewState" WHERE id = ${ctx.versionId}`;
      await refreshReviewFlags(tx, ctx.serverId);
    }
    const server = ctx.server ? await updateServer(tx, ctx, ctx.server, eitherChanged(changed, ctx.server.changed)) : null;
    return {
      probeId,
      toolSetId: toolSet?.id ?? null,
      definitionsWritten: toolSet?.written ?? 0,
      toolSetCreated: toolSet?.created ?? false,
      driftEventId,
      changed,
      changedSinceApproval: server?.changedSinceApproval ?? null,
    };
  });
}
