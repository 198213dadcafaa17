import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { db } from "@/lib/db/client";
import { definitionFingerprint, setFingerprint } from "@/lib/probing/fingerprint";
import type { ProbedDefinition, ProbeResult } from "@/lib/probing/probe";
import { recordProbe } from "@/lib/probing/store";

/**
 * The real corpus for search tests and the search benchmark: 700 server.json entries, 28 real tool
 * lists (755 tools), and the relevance set written over them. Loaders only read files; storing the
 * tool lists goes through recordProbe, as if the prober had listed them.
 */

const ROOT = path.resolve(import.meta.dirname, "..", "..");
export const CORPUS_FILE = path.join(ROOT, "tests/fixtures/corpus/servers.jsonl");
export const TOOLS_DIR = path.join(ROOT, "tests/fixtures/corpus/tools");
export const RELEVANCE_FILE = path.join(ROOT, "tests/fixtures/search-relevance.json");

export type ServerJson = { name: string; version: string; title?: string; description?: string } & Record<string, unknown>;
export type Tool = { name: string; title?: string; description?: string; inputSchema?: unknown } & Record<string, unknown>;
export interface ToolList {
  server: string;
  tools: Tool[];
}
export interface RelevanceCase {
  query: string;
  expect: string[];
  /** What a good answer relies on: server fields, tool names/descriptions only, or a misspelled query. */
  via: "server" | "tools" | "typo";
}

export function loadCorpus(file = CORPUS_FILE): ServerJson[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as ServerJson);
}

/** The 28 real `tools/list` results, sorted by file name. */
export function loadToolLists(dir = TOOLS_DIR): ToolList[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => JSON.parse(readFileSync(path.join(dir, f), "utf8")) as ToolList);
}

export function loadRelevanceCases(file = RELEVANCE_FILE): RelevanceCase[] {
  return (JSON.parse(readFileSync(file, "utf8")) as { queries: RelevanceCase[] }).queries;
}

/** The definitions the prober would record for these tools (same fingerprints as lib/probing/probe.ts). */
export function toolDefinitions(tools: Tool[]): ProbedDefinition[] {
  return tools.map((t) => ({ kind: "TOOL", name: t.name, definition: t, fingerprint: definitionFingerprint("TOOL", t) }));
}

/** A complete, healthy listing of exactly these tools. */
export function listingOf(tools: Tool[]): ProbeResult {
  const definitions = toolDefinitions(tools);
  return {
    outcome: "UP",
    era: "MODERN",
    protocolVersion: "2025-06-18",
    definitions,
    toolSetFingerprint: setFingerprint(definitions),
    counts: { tools: tools.length, prompts: 0, resources: 0, resourceTemplates: 0 },
    partial: [],
    timings: { connectMs: 5, toolsMs: 5, totalMs: 10 },
  };
}

/**
 * Stores each tool list for its server's latest version through recordProbe (the prober's write path).
 * Returns the number of lists stored; throws when a list names a server that is not in the database.
 */
export async function storeToolLists(lists: ToolList[] = loadToolLists()): Promise<number> {
  const startedAt = new Date();
  for (const list of lists) {
    const version = await db().serverVersion.findFirst({
      where: { isLatest: true, server: { name: list.server } },
      select: { id: true, serverId: true },
    });
    if (!version) throw new Error(`tool list for ${list.server}: no latest version of that server`);
    await recordProbe(
      {
        serverId: version.serverId,
        versionId: version.id,
        endpointUrl: `https://tools.example/${encodeURIComponent(list.server)}/mcp`,
        transport: "STREAMABLE_HTTP",
        trigger: "MANUAL",
        startedAt,
        server: { health: "UP", nextProbeAt: new Date(startedAt.getTime() + 900_000), failures: 0, changed: null },
      },
      listingOf(list.tools),
    );
  }
  return lists.length;
}

/** Rank (1-based) of the first expected server among `names`, or 0. */
export function firstHit(names: string[], expected: string[]): number {
  const i = names.findIndex((n) => expected.includes(n));
  return i + 1;
}
