import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { AppError } from "../errors";

/** Secrets generated once per data dir and kept there, so restarts keep sessions and ciphertexts valid. */
export interface DataDirSecrets {
  nextauthSecret: string;
  encryptionKey: string;
  pgPassword: string;
}

export function resolveDataDir(dir: string): string {
  const abs = path.resolve(dir);
  mkdirSync(abs, { recursive: true });
  // Traversable by others (not listable), so Postgres can reach its own subdirectory when it runs as
  // the `postgres` user under root; the secrets file itself is 0600.
  chmodSync(abs, 0o711);
  return abs;
}

export function loadOrCreateSecrets(dataDir: string): DataDirSecrets {
  const file = path.join(dataDir, "secrets.json");
  const existing = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Partial<DataDirSecrets>) : {};
  const secrets: DataDirSecrets = {
    nextauthSecret: existing.nextauthSecret ?? randomBytes(32).toString("base64url"),
    encryptionKey: existing.encryptionKey ?? randomBytes(32).toString("base64"),
    pgPassword: existing.pgPassword ?? randomBytes(18).toString("base64url"),
  };
  if (JSON.stringify(existing) !== JSON.stringify(secrets))
    writeFileSync(file, JSON.stringify(secrets, null, 2) + "\n", { mode: 0o600 });
  return secrets;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export interface RunInfo {
  pid: number;
  pgPort?: number;
  url?: string;
}

const lockPath = (dataDir: string) => path.join(dataDir, "run.json");

/** The live process that holds this data dir, if any (stale records of dead processes are ignored). */
export function readRunInfo(dataDir: string): RunInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(lockPath(dataDir), "utf8")) as RunInfo;
    return isAlive(info.pid) ? info : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Claims the data dir for this process. Fails with a clear message when another live process holds it,
 * so a second `toolshed start` never touches a running cluster.
 */
export function acquireDataDir(dataDir: string): { update(info: Omit<RunInfo, "pid">): void; release(): void } {
  const file = lockPath(dataDir);
  const write = (info: RunInfo) => {
    const tmp = `${file}.${process.pid}`;
    writeFileSync(tmp, JSON.stringify(info), { mode: 0o600 });
    return tmp;
  };
  for (let attempt = 0; attempt < 2; attempt++) {
    // Written aside, then linked into place: the claim appears atomically with its content.
    const tmp = write({ pid: process.pid });
    try {
      linkSync(tmp, file);
      return {
        update: (info) => renameSync(write({ pid: process.pid, ...info }), file),
        release: () => {
          if (readRunInfo(dataDir)?.pid === process.pid) rmSync(file, { force: true });
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const holder = readRunInfo(dataDir);
      if (holder)
        throw new AppError(
          "already_running",
          `Toolshed is already running on data dir ${dataDir} (pid ${holder.pid}${holder.url ? `, ${holder.url}` : ""}); stop it first or set TOOLSHED_DATA_DIR to another directory`,
        );
      rmSync(file, { force: true }); // left behind by a process that died
    } finally {
      rmSync(tmp, { force: true });
    }
  }
  throw new AppError("already_running", `Could not claim data dir ${dataDir}; another process is starting on it`);
}
