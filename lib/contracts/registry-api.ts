import { z } from "zod";

/** The official registry's `_meta` key for its own per-entry fields. */
export const OFFICIAL_META = "io.modelcontextprotocol.registry/official";
/** Toolshed's own per-entry fields live under this one key of its own. */
export const TOOLSHED_META = "io.toolshed/registry";

export const STATUSES = ["active", "deprecated", "deleted"] as const;
export type WireStatus = (typeof STATUSES)[number];

const boolParam = z.enum(["true", "false"], { message: "expected true or false" }).transform((v) => v === "true");

/** A page size from the query string: a whole number from 1 to 100. */
export const limitParam = z
  .string()
  .regex(/^\d+$/, "expected a whole number from 1 to 100")
  .transform(Number)
  .pipe(z.number().min(1, "expected a whole number from 1 to 100").max(100, "expected a whole number from 1 to 100"));

/** Query parameters of GET /v0.1/servers, as strings from the URL. */
export const listServersQuery = z
  .object({
    cursor: z.string().max(2048, "cursor is too long").optional(),
    limit: limitParam.optional(),
    search: z.string().max(200, "at most 200 characters").optional(),
    updated_since: z.iso.datetime({ offset: true, message: "expected an RFC 3339 date-time, e.g. 2025-08-07T13:15:04Z" }).optional(),
    version: z.string().min(1, "must not be empty").max(255, "at most 255 characters").optional(),
    include_deleted: boolParam.optional(),
  })
  .superRefine((q, ctx) => {
    if (q.updated_since && q.include_deleted === false)
      ctx.addIssue({ code: "custom", path: ["include_deleted"], message: "include_deleted=false cannot be combined with updated_since (deleted entries are always included)" });
  });

export const includeDeletedQuery = z.object({ include_deleted: boolParam.optional() });

export const statusChangeBody = z
  .object({
    status: z.enum(STATUSES, { message: "expected active, deprecated or deleted" }),
    statusMessage: z.string().max(500, "at most 500 characters").optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.status === "active" && b.statusMessage)
      ctx.addIssue({ code: "custom", path: ["statusMessage"], message: "a status message is only allowed with deprecated or deleted" });
  });

export type StatusChange = z.infer<typeof statusChangeBody>;

/** Exactly the fields the official spec allows under its key (additionalProperties: false there). */
export interface OfficialMeta {
  status: WireStatus;
  statusMessage?: string;
  publishedAt: string;
  updatedAt: string;
  isLatest: boolean;
}

export interface ToolshedMeta {
  ownerTeam: string | null;
  visibility: "org" | "team" | "private";
  reviewState: "pending" | "approved" | "rejected" | "changed";
  source: string | null;
  /** When the status last changed (the official key has no room for it). */
  statusChangedAt: string;
  /** What the prober last saw this version list; null before its first successful probe. */
  tools: ToolsMeta | null;
  /** The server's probe health; null before its first probe. */
  health: HealthMeta | null;
  /** The live tool set of the server's latest version differs from the one approved (drift). */
  changedSinceApproval: boolean;
}

export interface ToolsMeta {
  count: number;
  /** The first 50 tool names, in the order the server listed them. */
  names: string[];
  /** Fingerprint of the whole tool set (tools, prompts, resources, templates). */
  fingerprint: string | null;
}

export interface HealthMeta {
  status: "up" | "degraded" | "down" | "auth_required" | "error";
  /** % of probes in the last 30 days (within the retention window) that reached the server. */
  uptime30d: number | null;
  p50LatencyMs: number | null;
  lastProbedAt: string;
}

export interface ServerResponse {
  server: Record<string, unknown>;
  _meta: { [OFFICIAL_META]: OfficialMeta; [TOOLSHED_META]: ToolshedMeta };
}

export interface ServerList {
  servers: ServerResponse[];
  metadata: { nextCursor?: string; count: number };
}
