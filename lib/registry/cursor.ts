import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { AppError } from "../errors";

/** What a list query filters on; a cursor carries it so page 2+ needs no other parameter. */
export interface ListFilters {
  search?: string;
  version?: string;
  updatedSince?: string;
  includeDeleted: boolean;
}

export interface CursorState {
  /**
   * Where the previous page ended. Without a search: its last (name, version), keyset pagination that
   * is stable under concurrent inserts. With a search: (position of its last server in the relevance
   * order, that row's version).
   */
  after: [string, string] | [number, string];
  filters: ListFilters;
}

/**
 * The decoded payload is checked too: with no NEXTAUTH_SECRET the signing key is a known constant, so a
 * signature alone does not prove the cursor was issued here, and a crafted one must be a 400, not a 500.
 */
const payloadSchema = z.tuple([
  z.union([z.tuple([z.string().max(1000), z.string().max(1000)]), z.tuple([z.number().int().min(0).max(1_000_000), z.string().max(1000)])]),
  z
    .object({
      search: z.string().max(200).optional(),
      version: z.string().min(1).max(255).optional(),
      updatedSince: z.iso.datetime({ offset: true }).optional(),
      includeDeleted: z.boolean(),
    })
    .strict(),
]);

const sign = (key: string, payload: string) => createHmac("sha256", key).update(payload).digest().subarray(0, 12);

/** An opaque, URL-safe (base64url + "."), tamper-evident cursor. */
export function encodeCursor(state: CursorState, key: string): string {
  const payload = Buffer.from(JSON.stringify([state.after, state.filters])).toString("base64url");
  return `${payload}.${sign(key, payload).toString("base64url")}`;
}

export function decodeCursor(cursor: string, key: string): CursorState {
  const bad = () => new AppError("validation_failed", "Invalid cursor: pass back metadata.nextCursor exactly as received", { errors: [{ pointer: "cursor", message: "not a cursor issued by this registry" }] });
  const [payload, mac, extra] = cursor.split(".");
  if (!payload || !mac || extra !== undefined) throw bad();
  // Compare the text, not decoded bytes: base64url ignores trailing bits, so "<mac>x" would decode the same.
  const expected = Buffer.from(sign(key, payload).toString("base64url"));
  const given = Buffer.from(mac);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw bad();
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    throw bad();
  }
  const r = payloadSchema.safeParse(decoded);
  if (!r.success) throw bad();
  const [after, filters] = r.data;
  if ((typeof after[0] === "number") !== Boolean(filters.search)) throw bad();
  // Postgres text cannot hold NUL: a crafted one would surface as a database error.
  if ([after[0], after[1], filters.search, filters.version].some((s) => typeof s === "string" && s.includes("\u0000"))) throw bad();
  return { after, filters };
}
