import { db } from "../db/client";
import { env } from "../env";
import { allServerIds, buildDocuments, countServers } from "./documents";
import { MeilisearchIndex } from "./meilisearch";
import { PostgresSearchIndex } from "./postgres";
import type { SearchIndex } from "./types";

/*
 * Keeps the search index in step with Postgres. Triggers write the id of every server whose indexed
 * data changed to SearchOutbox (see the search migration); drainOutbox turns those ids into documents.
 * reindexAll rebuilds from scratch; checkIndex compares the index with what it should hold.
 */

const BATCH = 500;
/** Advisory-lock namespace: one drainer at a time per server, so an older document never overwrites a newer one. */
const LOCK_CLASS = 7_346_125;

let current: SearchIndex | undefined;

/** The configured index: Meilisearch when MEILI_URL is set, otherwise Postgres (one per process). */
export function searchIndex(): SearchIndex {
  if (!current) {
    const e = env();
    current = e.MEILI_URL ? new MeilisearchIndex({ url: e.MEILI_URL, apiKey: e.MEILI_MASTER_KEY, prefix: e.MEILI_INDEX_PREFIX }) : new PostgresSearchIndex();
  }
  return current;
}

/** Replaces the process-wide index (tests); undefined goes back to the configured one. */
export function setSearchIndexForTests(index: SearchIndex | undefined) {
  current = index;
}

/** Waits for other drainers' batches in flight; true when rows are left (new ones, or a batch that failed). */
async function rowsLeftAfterOthers(): Promise<boolean> {
  return db().$transaction(async (tx) => (await tx.$queryRaw<unknown[]>`SELECT id FROM "SearchOutbox" ORDER BY id LIMIT 1 FOR UPDATE`).length > 0, {
    timeout: 330_000,
    maxWait: 30_000,
  });
}

/**
 * Indexes every server waiting in the outbox, 500 outbox rows per transaction, until it is empty;
 * returns how many outbox rows this call handled. Rows are deleted in the transaction that indexes
 * them, so a failure leaves them for the next run; SKIP LOCKED lets several processes drain side by
 * side, and a drainer that runs out of rows waits for the others' batches, so when it returns,
 * everything enqueued before the call is indexed.
 */
export async function drainOutbox(index: SearchIndex = searchIndex()): Promise<number> {
  let handled = 0;
  for (;;) {
    const n = await db().$transaction(
      async (tx) => {
        const rows = await tx.$queryRaw<{ serverId: string }[]>`
          DELETE FROM "SearchOutbox" WHERE id IN (SELECT id FROM "SearchOutbox" ORDER BY id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)
          RETURNING "serverId"`;
        if (!rows.length) return 0;
        const ids = [...new Set(rows.map((r) => r.serverId))].sort();
        // Sorted, so two drainers wait for each other instead of deadlocking; held until commit, after the index write.
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(${LOCK_CLASS}::int, hashtext(id)) FROM unnest(${ids}::text[]) id ORDER BY id`;
        const { docs, gone } = await buildDocuments(ids, tx);
        await index.upsert(docs);
        await index.remove(gone);
        return rows.length;
      },
      { timeout: 300_000, maxWait: 30_000 },
    );
    if (!n && !(await rowsLeftAfterOthers())) return handled;
    handled += n;
  }
}

/**
 * Rebuilds the index from Postgres: clears it, then indexes every server in batches, reporting
 * progress. Outbox entries written before the rebuild started are covered by it and dropped.
 */
export async function reindexAll(onProgress?: (done: number, total: number) => void, index: SearchIndex = searchIndex()): Promise<{ indexed: number }> {
  await index.ensureReady();
  const [{ upTo }] = await db().$queryRaw<{ upTo: bigint }[]>`SELECT COALESCE(max(id), 0)::bigint AS "upTo" FROM "SearchOutbox"`;
  const total = await countServers();
  await index.clear();
  onProgress?.(0, total);
  let done = 0;
  let after: string | null = null;
  for (;;) {
    const ids = await allServerIds(after, BATCH);
    if (!ids.length) break;
    const { docs } = await buildDocuments(ids);
    await index.upsert(docs);
    done += docs.length;
    after = ids[ids.length - 1];
    onProgress?.(done, Math.max(total, done));
  }
  await db().$executeRaw`DELETE FROM "SearchOutbox" WHERE id <= ${upTo}`;
  return { indexed: done };
}

export interface IndexCheck {
  /** In Postgres, not in the index (server names). */
  missing: string[];
  /** In the index, not (or no longer) in Postgres (names where the server row still exists, else ids). */
  extra: string[];
  /** In both, but the indexed document differs from the one Postgres gives now (names). */
  stale: string[];
}

/** Compares the index with freshly built documents by digest. */
export async function checkIndex(index: SearchIndex = searchIndex()): Promise<IndexCheck> {
  const indexed = await index.digests();
  const out: IndexCheck = { missing: [], extra: [], stale: [] };
  const seen = new Set<string>();
  let after: string | null = null;
  for (;;) {
    const ids = await allServerIds(after, BATCH);
    if (!ids.length) break;
    after = ids[ids.length - 1];
    const { docs } = await buildDocuments(ids);
    for (const d of docs) {
      seen.add(d.id);
      const digest = indexed.get(d.id);
      if (digest === undefined) out.missing.push(d.name);
      else if (digest !== d.digest) out.stale.push(d.name);
    }
  }
  const extra = [...indexed.keys()].filter((id) => !seen.has(id));
  if (extra.length) {
    const names = new Map((await db().server.findMany({ where: { id: { in: extra } }, select: { id: true, name: true } })).map((s) => [s.id, s.name]));
    out.extra = extra.map((id) => names.get(id) ?? id);
  }
  for (const list of Object.values(out)) list.sort();
  return out;
}
