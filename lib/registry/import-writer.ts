import { isDeepStrictEqual } from "node:util";
import { reasonOf } from "../errors";
import { chunks, describeErrors, groupInOrder, type SourceItem, type UpstreamMeta } from "./import-parse";
import * as repo from "./import-repository";
import { insertVersion, setStatus, versionFields, type DbStatus, type NewVersion } from "./store";
import { insertFirstVersions } from "./store-batch";
import { checkServerJson } from "./validation";

/** New servers written per transaction on the bulk path. */
const BULK_SIZE = 200;

export interface ImportProgress {
  done: number;
  /** Unknown for a registry: the API gives no total count. */
  total?: number;
}

/** The running tally of one import; failures keep their source order for reporting. */
export interface Run {
  sourceId: string;
  concurrency: number;
  total?: number;
  seen: number;
  done: number;
  created: number;
  unchanged: number;
  statusUpdated: number;
  failures: { order: number; label: string; reason: string }[];
  onProgress?: (p: ImportProgress) => void;
}

interface Entry {
  order: number;
  label: string;
  upstream?: UpstreamMeta;
  version: NewVersion & { status: DbStatus; statusMessage: string | null };
}

const toDb = (s: string) => s.toUpperCase() as DbStatus;

const immutable = (v: NewVersion) => `version ${v.version} of ${v.name} already exists with different content; published versions are immutable`;

function settle(run: Run, outcome: "created" | "unchanged" | { order: number; label: string; reason: string }) {
  if (outcome === "created") run.created++;
  else if (outcome === "unchanged") run.unchanged++;
  else run.failures.push(outcome);
  run.done++;
  run.onProgress?.({ done: run.done, total: run.total });
}

/** Validates one entry into what insertVersion takes, or settles it as failed. */
async function prepare(item: SourceItem, order: number, run: Run): Promise<Entry | undefined> {
  const fail = (reason: string) => void settle(run, { order, label: item.label, reason });
  if (item.error) return fail(item.error);
  try {
    const checked = await checkServerJson(item.value);
    if (!checked.ok) return fail(`invalid server.json: ${describeErrors(checked.errors)}`);
    // The stored form: plain JSON without undefined members, so comparing with what is stored is exact.
    const server = JSON.parse(JSON.stringify(checked.value)) as typeof checked.value;
    const up = item.upstream;
    return {
      order,
      label: item.label,
      upstream: up,
      version: {
        ...versionFields(server),
        ownerTeamId: null,
        publishedById: null,
        importSourceId: run.sourceId,
        status: toDb(up?.status ?? "active"),
        statusMessage: up?.statusMessage ?? null,
        publishedAt: up?.publishedAt,
        reviewState: "APPROVED",
      },
    };
  } catch (e) {
    return fail(reasonOf(e));
  }
}

/** A version that is already stored: unchanged when identical (taking the upstream status), else refused. */
async function settleExisting(e: Entry, prior: repo.ExistingVersion, run: Run) {
  if (!isDeepStrictEqual(prior.serverJson, e.version.serverJson)) return settle(run, { order: e.order, label: e.label, reason: immutable(e.version) });
  try {
    const { status, statusMessage } = e.version;
    if (e.upstream && (prior.status !== status || prior.statusMessage !== statusMessage)) {
      await setStatus(prior.serverId, [prior.versionId], status, statusMessage);
      run.statusUpdated++;
    }
    settle(run, "unchanged");
  } catch (err) {
    settle(run, { order: e.order, label: e.label, reason: reasonOf(err) });
  }
}

/** The general path: insertVersion with its full rules (latest, remote URL uniqueness, immutability). */
async function writeOne(e: Entry, run: Run) {
  const v = e.version;
  try {
    const r = await insertVersion(v);
    if (r.outcome === "exists") return settle(run, r.identical ? "unchanged" : { order: e.order, label: e.label, reason: immutable(v) });
    // insertVersion creates a server as active; setStatus derives the server's status from its versions.
    if (v.status !== "ACTIVE") {
      const serverId = await repo.serverIdByName(v.name);
      if (serverId) await setStatus(serverId, [r.versionId], v.status, v.statusMessage);
    }
    settle(run, "created");
  } catch (err) {
    settle(run, { order: e.order, label: e.label, reason: reasonOf(err) });
  }
}

/**
 * Writes one batch of a source: validation, one query for what is already stored, brand-new servers in
 * bulk transactions, and the rest through insertVersion, servers in parallel, each server's versions in
 * source order.
 */
export async function writeBatch(items: SourceItem[], run: Run): Promise<void> {
  const first = run.seen;
  run.seen += items.length;
  const entries = (await Promise.all(items.map((item, i) => prepare(item, first + i, run)))).filter((e): e is Entry => e !== undefined);
  const existing = entries.length ? await repo.existingVersions([...new Set(entries.map((e) => e.version.name))]) : new Map<string, repo.ExistingVersion>();
  const knownNames = new Set([...existing.values()].map((x) => x.name));
  const fresh: Entry[] = [];
  const rest: Entry[] = [];
  for (const e of entries) {
    const prior = existing.get(repo.versionKey(e.version.name, e.version.version));
    if (prior) await settleExisting(e, prior, run);
    else (knownNames.has(e.version.name) ? rest : fresh).push(e);
  }
  for (const chunk of chunks(fresh, BULK_SIZE)) {
    try {
      const r = await insertFirstVersions(chunk.map((e) => e.version));
      const deferred = new Set(r.deferred);
      for (const e of chunk) {
        if (deferred.has(e.version) || !r.created.has(e.version.name)) rest.push(e);
        else settle(run, "created");
      }
    } catch {
      rest.push(...chunk); // e.g. a concurrent publish of one of the names: the general path sorts it out
    }
  }
  const groups = groupInOrder(rest.sort((a, b) => a.order - b.order), (e) => e.version.name);
  let next = 0;
  const worker = async () => {
    while (next < groups.length) for (const e of groups[next++]) await writeOne(e, run);
  };
  await Promise.all(Array.from({ length: Math.min(run.concurrency, groups.length) }, worker));
}
