import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { recordAudit, type Actor } from "../audit/service";
import { env } from "../env";
import { AppError, reasonOf } from "../errors";
import { createSafeFetch } from "../net/safe-fetch";
import { isUrlSource, maxDate, pageUrl, parseFileContent, parseRegistryPage, registryBase, type RegistryBase } from "./import-parse";
import * as repo from "./import-repository";
import { writeBatch, type ImportProgress, type Run } from "./import-writer";

export type { ImportProgress } from "./import-writer";

const PAGE_LIMIT = 100;
/** Servers written at once on the general path; each server's own versions one after another, in source order. */
const CONCURRENCY = 8;
const FETCH_TIMEOUT_MS = 30_000;
const MAX_PAGE_BYTES = 32 * 1024 * 1024;
const MAX_PAGES = 100_000;

export interface ImportFailure {
  label: string;
  reason: string;
}

export interface ImportOptions {
  actor?: Actor;
  /** Registry sources: sync entries updated after this instead of after the stored watermark. */
  since?: Date;
  onProgress?: (p: ImportProgress) => void;
  /** Record the run under this location and kind instead of the file path or registry URL. */
  as?: { location: string; kind: string };
  fetchTimeoutMs?: number;
  /** Servers written at once (default 8). */
  concurrency?: number;
}

export interface ImportResult {
  source: string;
  kind: string;
  created: number;
  unchanged: number;
  failed: number;
  /** Unchanged versions whose upstream status (active / deprecated / deleted) was applied. */
  statusUpdated: number;
  failures: ImportFailure[];
  /** The stored watermark after the run (registry sources). */
  watermark: string | null;
}

const failuresOf = (run: Run): ImportFailure[] => run.failures.map(({ label, reason }) => ({ label, reason }));

export type SourceRef = { kind: "file"; path: string } | { kind: "registry"; registry: RegistryBase };

/** Where `input` points: a registry base URL or a readable file. Checked before any database work. */
export async function resolveSource(input: string): Promise<SourceRef> {
  if (isUrlSource(input)) return { kind: "registry", registry: registryBase(input) };
  const file = path.resolve(input);
  const st = await stat(file).catch(() => undefined);
  if (!st) throw new AppError("not_found", `Cannot read ${input}: no such file`);
  if (!st.isFile()) throw new AppError("bad_request", `${input} is not a file; pass a JSONL or JSON file or a registry URL`);
  return { kind: "file", path: file };
}

/**
 * The registry is fetched like every user-supplied URL: through lib/net's guarded fetch, so the first
 * request and every redirect hop reach only addresses the network policy allows (public ones, plus
 * TOOLSHED_ALLOWED_NETWORKS), and a page is cut off past MAX_PAGE_BYTES while it streams.
 */
function registryFetch(): typeof fetch {
  return createSafeFetch({ allowedNetworks: env().TOOLSHED_ALLOWED_NETWORKS, maxRedirects: 5, maxResponseBytes: MAX_PAGE_BYTES });
}

async function fetchJson(fetchPage: typeof fetch, url: string, timeoutMs: number): Promise<unknown> {
  let res: Response;
  let text: string;
  try {
    res = await fetchPage(url, { headers: { accept: "application/json" }, signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    throw new AppError("unavailable", `Could not fetch ${url}: ${reasonOf(e)}`, { cause: e });
  }
  if (!res.ok) throw new AppError("unavailable", `${url} answered ${res.status} ${res.statusText}`.trim());
  try {
    text = await res.text();
  } catch (e) {
    throw new AppError("unavailable", `Could not read ${url}: ${reasonOf(e)}`, { cause: e });
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("unavailable", `${url} did not answer with JSON; is this an MCP registry base URL?`);
  }
}

/** Pages through `/v0.1/servers`, writing each page while the next one is fetched; returns the latest updatedAt seen. */
async function pullRegistry(registry: RegistryBase, since: Date | undefined, run: Run, timeoutMs: number): Promise<Date | undefined> {
  const guarded = registryFetch();
  const fetchPage = (cursor?: string) => fetchJson(guarded, pageUrl(registry, { limit: PAGE_LIMIT, updatedSince: since, cursor }), timeoutMs);
  const cursors = new Set<string>();
  let latest: Date | undefined;
  let pending: Promise<unknown> | undefined = fetchPage();
  for (let page = 0; pending && page < MAX_PAGES; page++) {
    const { items, nextCursor } = parseRegistryPage(await pending);
    pending = undefined;
    if (nextCursor && items.length) {
      if (cursors.has(nextCursor)) throw new AppError("unavailable", `The registry sent the cursor "${nextCursor}" twice; stopped to avoid a loop`);
      cursors.add(nextCursor);
      pending = fetchPage(nextCursor);
      pending.catch(() => undefined); // awaited on the next turn; no unhandled rejection meanwhile
    }
    latest = maxDate(latest, ...items.map((i) => i.upstream?.updatedAt));
    await writeBatch(items, run);
  }
  return latest;
}

/**
 * `toolshed import`: reads a JSONL / JSON file or an official registry (incrementally, by `updated_since`
 * from the stored watermark or `since`), validates every entry, writes new immutable versions and skips
 * identical ones. A bad entry is reported and skipped; the rest import. One audit event per run.
 */
export async function importFrom(input: string, opts: ImportOptions = {}): Promise<ImportResult> {
  const ref = await resolveSource(input);
  const location = opts.as?.location ?? (ref.kind === "file" ? ref.path : ref.registry.base);
  const kind = opts.as?.kind ?? ref.kind;
  const source = await repo.upsertImportSource(location, kind);
  const run: Run = { sourceId: source.id, concurrency: opts.concurrency ?? CONCURRENCY, seen: 0, done: 0, created: 0, unchanged: 0, statusUpdated: 0, failures: [], onProgress: opts.onProgress };
  let since: Date | undefined;
  let watermark: Date | undefined;
  let error: string | undefined;
  try {
    if (ref.kind === "file") {
      const { items } = parseFileContent(await readFile(ref.path, "utf8"));
      run.total = items.length;
      await writeBatch(items, run);
    } else {
      since = opts.since ?? source.watermark ?? undefined;
      watermark = maxDate(source.watermark, await pullRegistry(ref.registry, since, run, opts.fetchTimeoutMs ?? FETCH_TIMEOUT_MS));
    }
  } catch (e) {
    error = reasonOf(e);
    throw e;
  } finally {
    const counts = { created: run.created, unchanged: run.unchanged, failed: run.failures.length, statusUpdated: run.statusUpdated };
    const detail = { source: location, kind, ...counts, since: since?.toISOString(), watermark: watermark?.toISOString(), error };
    run.failures.sort((a, b) => a.order - b.order);
    await repo.recordImportRun(source.id, JSON.parse(JSON.stringify({ ...detail, failures: failuresOf(run).slice(0, 50) })), watermark);
    await recordAudit(opts.actor ?? "cli", "registry.import", { type: "import_source", id: source.id }, { detail });
  }
  return {
    source: location,
    kind,
    created: run.created,
    unchanged: run.unchanged,
    failed: run.failures.length,
    statusUpdated: run.statusUpdated,
    failures: failuresOf(run),
    watermark: (watermark ?? source.watermark)?.toISOString() ?? null,
  };
}

/** Where the demo catalog's load is recorded; its presence means "seeded once", even if entries go later. */
export const DEMO_CATALOG_LOCATION = "demo:prisma/seed/demo-catalog.jsonl";

/** Loads the demo catalog on the first start of an empty database; does nothing ever after. */
export async function seedDemoCatalog(file: string): Promise<ImportResult | undefined> {
  if ((await repo.importSourceExists(DEMO_CATALOG_LOCATION)) || (await repo.anyServer())) return undefined;
  return importFrom(file, { actor: "system", as: { location: DEMO_CATALOG_LOCATION, kind: "demo" } });
}
