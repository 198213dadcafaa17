import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import { isAppError } from "@/lib/errors";
import { importFrom } from "@/lib/registry/import";
import { drainOutbox } from "@/lib/search/indexer";
import { lines, PROJECT_ROOT, runCli } from "../support/cli";
import { testDatabase } from "../support/db";
import { startFakeRegistry, type UpstreamEntry } from "../support/fake-registry";

/**
 * `toolshed import <registry URL>` fetches through lib/net's guarded fetch: the first request and every
 * redirect hop reach only addresses the network policy allows. Here only 127.0.0.1 is allowed; a trap
 * registry on 127.0.0.2 (loopback, but outside the allowed networks) must never be contacted.
 */

const ALLOWED = "127.0.0.1/32";
const dir = mkdtempSync(path.join(os.tmpdir(), "toolshed-import-net-"));
const toolshed = (args: string[]) => runCli(["import", ...args], { DATABASE_URL: testDatabase.url, TOOLSHED_DATA_DIR: dir, TOOLSHED_ALLOWED_NETWORKS: ALLOWED }, 60_000);

const corpus = readFileSync(path.join(PROJECT_ROOT, "tests/fixtures/corpus/servers.jsonl"), "utf8")
  .split("\n")
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as UpstreamEntry["server"] & { remotes?: unknown })
  .filter((e) => !e.remotes)
  .slice(0, 3);
const entries = (prefix: string): UpstreamEntry[] =>
  corpus.map((server, i) => ({ server: { ...server, name: `${prefix}.${server.name}` }, status: "active", publishedAt: "2025-09-01T00:00:00.000Z", updatedAt: `2025-09-0${i + 1}T00:00:00.000Z` }));

interface Listening {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

async function listen(host: string, handler: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<Listening> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? "/");
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  return {
    url: `http://${host}:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Answers every request with a redirect to the same path and query on `target`. */
const redirector = (target: () => string, status = 302) => listen("127.0.0.1", (req, res) => res.writeHead(status, { location: `${target()}${req.url}` }).end());

let trap: Listening;

beforeAll(async () => {
  process.env.TOOLSHED_ALLOWED_NETWORKS = ALLOWED;
  resetEnvCache();
  trap = await listen("127.0.0.2", (_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ servers: [], metadata: { count: 0 } })));
});

afterAll(async () => {
  await trap?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("toolshed import: the network policy on every hop", () => {
  it("refuses a redirect to an address outside the allowed networks, without contacting it, in the service and the CLI", async () => {
    const hop = await redirector(() => trap.url);
    try {
      const e = await importFrom(hop.url).then(() => undefined, (x: unknown) => x);
      expect(isAppError(e) && e.code).toBe("unavailable");
      expect((e as Error).message).toMatch(/^Could not fetch http:\/\/127\.0\.0\.1:\d+\/v0\.1\/servers\?.*: Refused to connect to 127\.0\.0\.2 \(127\.0\.0\.2\): private or loopback address outside TOOLSHED_ALLOWED_NETWORKS$/);

      const cli = await toolshed([hop.url]);
      expect(cli.code).toBe(1);
      expect(lines(cli.stderr)).toHaveLength(1);
      expect(cli.stderr).toMatch(/Refused to connect to 127\.0\.0\.2 .*outside TOOLSHED_ALLOWED_NETWORKS/);
      expect(hop.requests).toHaveLength(2);
      expect(trap.requests).toEqual([]);
    } finally {
      await hop.close();
    }
  });

  it("refuses such an address as the registry URL itself", async () => {
    const cli = await toolshed([trap.url]);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/Refused to connect to 127\.0\.0\.2 .*outside TOOLSHED_ALLOWED_NETWORKS/);
    expect(trap.requests).toEqual([]);
  });

  it("follows redirects that stay inside the policy, checking each hop, and imports", async () => {
    const reg = await startFakeRegistry(entries("hop"));
    const second = await redirector(() => reg.url, 307);
    const first = await redirector(() => second.url, 301);
    try {
      const result = await importFrom(first.url);
      expect(result).toMatchObject({ created: 3, failed: 0, kind: "registry" });
      expect(first.requests).toHaveLength(1);
      expect(second.requests).toHaveLength(1);
      expect(reg.requests.map((u) => u.pathname)).toEqual(["/v0.1/servers"]);
      expect(await db().server.count({ where: { name: { startsWith: "hop." } } })).toBe(3);
      await drainOutbox(); // the search indexing the import started ends before the database is dropped
    } finally {
      await Promise.all([first.close(), second.close(), reg.close()]);
    }
  });
});
