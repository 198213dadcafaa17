import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { isAlive } from "@/lib/runtime/datadir";

export const PROJECT_ROOT = path.resolve(import.meta.dirname, "../..");
export const BIN = path.join(PROJECT_ROOT, "bin/toolshed.mjs");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  timedOut: boolean;
}

/**
 * A controlled child environment: nothing from the test process leaks in (in particular no DATABASE_URL)
 * except what the caller passes; `undefined` values are left out.
 */
export function childEnv(vars: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TMPDIR: process.env.TMPDIR,
    LOG_LEVEL: "silent",
    NEXT_TELEMETRY_DISABLED: "1",
    ...vars,
  };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  return env as NodeJS.ProcessEnv;
}

/**
 * Runs `node bin/toolshed.mjs …` as a real process. It gets its own process group, so a run that hangs
 * (or wrongly starts a build or a cluster) is killed with everything it spawned when the time is up.
 */
export function runCli(args: string[], vars: Record<string, string | undefined> = {}, timeoutMs = 30_000): Promise<CliResult> {
  const started = Date.now();
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: PROJECT_ROOT,
    env: childEnv(vars),
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  }, timeoutMs);
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started, timedOut });
    });
  });
}

/** The non-empty lines of an output. */
export const lines = (s: string) => s.split("\n").filter((l) => l.trim() !== "");

/** Pids of live processes whose command line mentions `needle` (Linux /proc; empty elsewhere). */
export function processesMentioning(needle: string): number[] {
  if (!existsSync("/proc")) return [];
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").some((a) => a.includes(needle))) found.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

/** The pid recorded in `<pgDir>/postmaster.pid` when that process is still alive. */
export function livePostmaster(pgDir: string): number | undefined {
  const file = path.join(pgDir, "postmaster.pid");
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, "utf8").split("\n")[0]);
  return pid && isAlive(pid) ? pid : undefined;
}

/** True when no postgres runs on `<pgDir>`: no live postmaster.pid and no process naming the directory. */
export function noPostgresOn(pgDir: string): boolean {
  return livePostmaster(pgDir) === undefined && processesMentioning(pgDir).length === 0;
}

/** Stops a postgres left running on `<pgDir>` (test cleanup only). */
export async function stopPostgresOn(pgDir: string): Promise<void> {
  for (const pid of new Set([livePostmaster(pgDir), ...processesMentioning(pgDir)])) {
    if (!pid) continue;
    try {
      process.kill(pid, "SIGINT");
    } catch {
      continue;
    }
    for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    if (isAlive(pid)) process.kill(pid, "SIGKILL");
  }
}
