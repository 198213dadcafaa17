import { OFFICIAL_META, STATUSES, type WireStatus } from "../contracts/registry-api";
import { AppError } from "../errors";

/** What the official registry said about an entry, kept when importing from a registry. */
export interface UpstreamMeta {
  status: WireStatus;
  statusMessage: string | null;
  publishedAt?: Date;
  updatedAt?: Date;
}

/** One entry of a source: a server.json to validate, or why it could not even be read. */
export interface SourceItem {
  /** How a failure names it: "line 3 (io.github.x/y)", "entry 2", "io.github.x/y@1.0.0". */
  label: string;
  value?: unknown;
  error?: string;
  upstream?: UpstreamMeta;
}

export type FileFormat = "jsonl" | "json-array" | "registry-page";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

const nameOf = (v: unknown) => (isObject(v) && typeof v.name === "string" && v.name ? v.name : undefined);

const withName = (label: string, v: unknown) => (nameOf(v) ? `${label} (${nameOf(v)})` : label);

export const isUrlSource = (source: string) => /^https?:\/\//i.test(source.trim());

function date(v: unknown): Date | undefined {
  if (typeof v !== "string") return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** The registry's own fields of a list item (`_meta["io.modelcontextprotocol.registry/official"]`), if any. */
export function upstreamMetaOf(item: Record<string, unknown>): UpstreamMeta | undefined {
  const meta = isObject(item._meta) ? item._meta[OFFICIAL_META] : undefined;
  if (!isObject(meta)) return undefined;
  const status = (STATUSES as readonly unknown[]).includes(meta.status) ? (meta.status as WireStatus) : "active";
  return {
    status,
    statusMessage: status !== "active" && typeof meta.statusMessage === "string" && meta.statusMessage ? meta.statusMessage : null,
    publishedAt: date(meta.publishedAt),
    updatedAt: date(meta.updatedAt),
  };
}

/** A bare server.json, or a registry list item `{server, _meta}` (as saved from `/v0.1/servers`). */
function toItem(label: string, v: unknown): SourceItem {
  if (isObject(v) && isObject(v.server) && v.name === undefined) {
    return { label: withName(label, v.server), value: v.server, upstream: upstreamMetaOf(v) };
  }
  return { label: withName(label, v), value: v };
}

function parseJsonl(text: string): SourceItem[] {
  const items: SourceItem[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    try {
      items.push(toItem(`line ${i + 1}`, JSON.parse(line)));
    } catch (e) {
      items.push({ label: `line ${i + 1}`, error: `malformed JSON: ${(e as Error).message}` });
    }
  });
  return items;
}

/**
 * Reads a file source, telling the format by its content: a JSON array of server.json (or of registry
 * items), a saved registry page `{servers: [...]}`, one JSON object, or JSONL (one entry per line).
 * A malformed line of JSONL is one failed item; a file that starts as JSON but is not is an error.
 */
export function parseFileContent(text: string): { format: FileFormat; items: SourceItem[] } {
  const body = text.replace(/^\uFEFF/, "");
  const start = body.trimStart()[0];
  if (start === "[") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (e) {
      throw new AppError("unsupported_media_type", `The file starts like a JSON array but is not valid JSON: ${(e as Error).message}`);
    }
    return { format: "json-array", items: (parsed as unknown[]).map((v, i) => toItem(`entry ${i + 1}`, v)) };
  }
  if (start === "{") {
    // One object over several lines (pretty-printed server.json or a saved registry page) rather than JSONL.
    let whole: unknown;
    try {
      whole = JSON.parse(body);
    } catch {
      return { format: "jsonl", items: parseJsonl(body) };
    }
    if (isObject(whole) && Array.isArray(whole.servers)) return { format: "registry-page", items: parseRegistryPage(whole).items };
    return { format: "jsonl", items: [toItem("line 1", whole)] };
  }
  if (start === undefined) return { format: "jsonl", items: [] };
  return { format: "jsonl", items: parseJsonl(body) };
}

export interface RegistryBase {
  /** Without the API version and without a trailing slash: the location an import source is stored under. */
  base: string;
  apiVersion: "v0.1" | "v0";
}

/** Accepts `https://host[/prefix]`, with or without a trailing `/v0.1` (or `/v0`) and `/servers`. */
export function registryBase(url: string): RegistryBase {
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    throw new AppError("bad_request", `Not a valid URL: ${url}`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") throw new AppError("bad_request", `Only http and https registries can be imported: ${url}`);
  if (u.username || u.password) throw new AppError("bad_request", "Put no credentials in the registry URL");
  let path = u.pathname.replace(/\/+$/, "");
  path = path.replace(/\/servers$/, "");
  const version = /\/(v0\.1|v0)$/.exec(path)?.[1] as RegistryBase["apiVersion"] | undefined;
  if (version) path = path.slice(0, -(version.length + 1));
  return { base: `${u.origin}${path}`, apiVersion: version ?? "v0.1" };
}

/** `GET {base}/{v}/servers?limit=…[&updated_since=…][&include_deleted=true][&cursor=…]`. */
export function pageUrl(r: RegistryBase, opts: { limit: number; updatedSince?: Date; cursor?: string }): string {
  const q = new URLSearchParams({ limit: String(opts.limit) });
  // updated_since implies deleted entries upstream; a full sync asks for them too, so the mirror is complete.
  if (opts.updatedSince) q.set("updated_since", opts.updatedSince.toISOString());
  else q.set("include_deleted", "true");
  if (opts.cursor) q.set("cursor", opts.cursor);
  return `${r.base}/${r.apiVersion}/servers?${q}`;
}

/** A `/v0.1/servers` page: its entries labelled `name@version`, and the cursor of the next page. */
export function parseRegistryPage(body: unknown): { items: SourceItem[]; nextCursor?: string } {
  if (!isObject(body) || !Array.isArray(body.servers)) throw new AppError("unavailable", 'The registry answered without a "servers" list; is this an MCP registry base URL?');
  const items = body.servers.map((raw, i): SourceItem => {
    if (!isObject(raw) || !isObject(raw.server)) return { label: `item ${i + 1} of a page`, error: 'not a registry entry {server, _meta}' };
    const s = raw.server;
    const label = typeof s.name === "string" ? `${s.name}@${typeof s.version === "string" ? s.version : "?"}` : `item ${i + 1} of a page`;
    return { label, value: s, upstream: upstreamMetaOf(raw) };
  });
  const meta = isObject(body.metadata) ? body.metadata : {};
  const nextCursor = typeof meta.nextCursor === "string" && meta.nextCursor ? meta.nextCursor : undefined;
  return { items, nextCursor };
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** `--since`: an RFC 3339 date-time with a zone, e.g. 2025-08-07T13:15:04Z. */
export function parseSince(s: string): Date {
  const d = new Date(s);
  if (!RFC3339.test(s.trim()) || Number.isNaN(d.getTime()))
    throw new AppError("bad_request", `--since must be an RFC 3339 date-time such as 2025-08-07T13:15:04Z (got "${s}")`);
  return d;
}

/** Latest of the dates given (undefined when none): the next incremental sync starts after it. */
export function maxDate(...dates: (Date | null | undefined)[]): Date | undefined {
  let max: Date | undefined;
  for (const d of dates) if (d && (!max || d > max)) max = d;
  return max;
}

/** Field errors of a rejected server.json as one line. */
export function describeErrors(errors: { pointer: string; message: string }[], max = 3): string {
  const text = errors.slice(0, max).map((e) => `${e.pointer || "/"}: ${e.message}`).join("; ");
  return errors.length > max ? `${text} (and ${errors.length - max} more)` : text;
}

/** Items grouped by a key (a server name), groups and members in source order. */
export function groupInOrder<T>(items: T[], keyOf: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const it of items) {
    const key = keyOf(it);
    const g = groups.get(key);
    if (g) g.push(it);
    else groups.set(key, [it]);
  }
  return [...groups.values()];
}

/** Consecutive slices of at most `size` items. */
export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
