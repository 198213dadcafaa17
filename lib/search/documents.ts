import { createHash } from "node:crypto";
import { Prisma } from "@/generated/prisma/client";
import { db } from "../db/client";
import { env } from "../env";
import type { ServerDocument, ToolDocument } from "./types";

/*
 * Search documents are built from Postgres here and handed to whichever SearchIndex is configured.
 * The pure part (server.json and tool definitions → document fields, digest) is kept apart from the
 * one query that reads everything a batch of servers needs.
 */

const PUBLISHER_META = "io.modelcontextprotocol.registry/publisher-provided";

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === "object" && !Array.isArray(v) ? (v as Json) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | null => (typeof v === "string" && v.trim() ? v : null);
const distinct = (xs: (string | null)[]) => [...new Set(xs.filter((x): x is string => Boolean(x)))];

/** The searchable fields of a server.json (the publisher-provided `_meta` supplies tags and category). */
export function serverJsonFields(serverJson: unknown) {
  const s = obj(serverJson);
  const meta = obj(obj(s._meta)[PUBLISHER_META]);
  const packages = arr(s.packages).map(obj);
  const lower = (v: unknown) => str(v)?.trim().toLowerCase() ?? null;
  return {
    title: str(s.title),
    description: str(s.description),
    longDescription: str(meta.longDescription),
    tags: distinct(arr(meta.tags).map(lower)),
    categories: distinct([lower(meta.category)]),
    transports: distinct([...arr(s.remotes).map((r) => lower(obj(r).type)), ...packages.map((p) => lower(obj(p.transport).type))]).sort(),
    packageTypes: distinct(packages.map((p) => lower(p.registryType))).sort(),
  };
}

/** A tool definition as listed by tools/list → the indexed tool (params: "name: description" lines). */
export function toolDocument(definition: unknown): ToolDocument {
  const d = obj(definition);
  const props = obj(obj(d.inputSchema).properties);
  const params = Object.entries(props).map(([name, p]) => {
    const desc = str(obj(p).description);
    return desc ? `${name}: ${desc}` : name;
  });
  return {
    name: String(d.name ?? ""),
    title: str(d.title) ?? str(obj(d.annotations).title),
    description: str(d.description),
    params: params.join("\n"),
  };
}

/** JSON with object keys sorted at every level, so equal documents always hash alike. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (v && typeof v === "object")
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Json)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Json)[k])}`)
      .join(",")}}`;
  return JSON.stringify(v ?? null);
}

export function documentDigest(doc: Omit<ServerDocument, "digest"> & { digest?: string }): string {
  const { digest: _ignored, ...rest } = doc;
  void _ignored;
  return createHash("sha256").update(canonicalJson(rest)).digest("hex");
}

/** What the database holds about one server, as the documents query returns it. */
export interface ServerSource {
  id: string;
  name: string;
  visibility: "ORG" | "TEAM" | "PRIVATE";
  ownerTeamId: string | null;
  team: string | null;
  accessTeamIds: string[];
  /** The version below is served to everyone who sees the server (see ServerDocument.served). */
  served: boolean;
  /** ServerVersion.reviewState (upper-case enum value). */
  reviewState: string;
  changedSinceApproval: boolean;
  /** Server.health (upper-case) or null when never probed. */
  health: string | null;
  status: string;
  version: string;
  serverJson: unknown;
  updatedAt: Date | string;
  /** Tool definitions of the version's current tool set, in name order. */
  tools: unknown[];
}

/** The pure mapping from a server's rows to its search document (digest included). */
export function toDocument(src: ServerSource): ServerDocument {
  const f = serverJsonFields(src.serverJson);
  const tools = src.tools.map(toolDocument).filter((t) => t.name);
  const review = src.reviewState.toLowerCase();
  const doc: Omit<ServerDocument, "digest"> = {
    id: src.id,
    name: src.name,
    ...f,
    visibility: src.visibility,
    ownerTeamId: src.ownerTeamId,
    team: src.team,
    accessTeamIds: [...src.accessTeamIds].sort(),
    served: src.served,
    // The prober's drift flag is what "changed" means; the version row keeps "approved" until re-review.
    reviewState: review === "approved" && src.changedSinceApproval ? "changed" : review,
    health: src.health ? src.health.toLowerCase() : "unknown",
    status: src.status.toLowerCase(),
    latestVersion: src.version,
    updatedAt: new Date(src.updatedAt).toISOString(),
    toolCount: tools.length,
    tools,
  };
  return { ...doc, digest: documentDigest(doc) };
}

/** Anything that can run a raw query: the client or a transaction. */
export type QueryRunner = Pick<Prisma.TransactionClient, "$queryRaw">;

/**
 * Documents for these servers: each one's newest non-deleted version served to everyone (the latest
 * approved, unless TOOLSHED_SERVE_UNAPPROVED; failing that the latest, found only by those who see
 * unapproved versions), owner team, access teams and the tools of that version's current tool set. `gone` lists the ids that no
 * longer exist, are deleted, or have no version left to show: the index must drop them.
 */
export async function buildDocuments(serverIds: string[], runner: QueryRunner = db()): Promise<{ docs: ServerDocument[]; gone: string[] }> {
  const ids = [...new Set(serverIds)];
  if (!ids.length) return { docs: [], gone: [] };
  const serveAll = env().TOOLSHED_SERVE_UNAPPROVED;
  const rows = await runner.$queryRaw<ServerSource[]>`
    SELECT s.id, s.name, s.visibility::text AS visibility, s."ownerTeamId", t.slug AS team,
           ARRAY(SELECT a."teamId" FROM "ServerTeamAccess" a WHERE a."serverId" = s.id ORDER BY a."teamId") AS "accessTeamIds",
           (${serveAll}::boolean OR v."reviewState" = 'APPROVED') AS served, v."reviewState"::text AS "reviewState", s."changedSinceApproval", s.health::text AS health, s.status::text AS status,
           v.version, v."serverJson", v."updatedAt",
           COALESCE((SELECT jsonb_agg(d.definition ORDER BY d.name, d.id)
                     FROM "_ToolSetMembers" m JOIN "ToolDefinition" d ON d.id = m."A"
                     WHERE m."B" = v."currentToolSetId" AND d.kind = 'TOOL'), '[]'::jsonb) AS tools
    FROM "Server" s
    LEFT JOIN "Team" t ON t.id = s."ownerTeamId"
    CROSS JOIN LATERAL (
      SELECT * FROM "ServerVersion" v WHERE v."serverId" = s.id AND v.status <> 'DELETED'
      ORDER BY (${serveAll}::boolean OR v."reviewState" = 'APPROVED') DESC, (v."isLatestApproved" AND NOT ${serveAll}::boolean) DESC, v."isLatest" DESC, v."publishedAt" DESC LIMIT 1
    ) v
    WHERE s.id = ANY(${ids}::text[]) AND s.status <> 'DELETED'`;
  const docs = rows.map(toDocument);
  const found = new Set(docs.map((d) => d.id));
  return { docs, gone: ids.filter((id) => !found.has(id)) };
}

/** One page of the ids of every server that has a document, in id order (for rebuilds and checks). */
export async function allServerIds(after: string | null, limit: number): Promise<string[]> {
  const rows = await db().$queryRaw<{ id: string }[]>`
    SELECT id FROM "Server" WHERE status <> 'DELETED' AND (${after}::text IS NULL OR id > ${after}::text) ORDER BY id LIMIT ${limit}`;
  return rows.map((r) => r.id);
}

/** How many servers a full rebuild will index (for progress reports). */
export async function countServers(): Promise<number> {
  const [r] = await db().$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM "Server" WHERE status <> 'DELETED'`;
  return r.n;
}
