import { spawn } from "node:child_process";
import path from "node:path";
import { logger } from "../logger";
import { PROJECT_ROOT } from "./build";

export interface WorkerProcess {
  /** SIGTERM, then waits for the probes in flight (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
}

/**
 * `toolshed worker` as a child of `toolshed start`, on the same database (DATABASE_URL is already in
 * this process's environment). Its exit is logged, not fatal: the web server keeps serving.
 */
export function startWorkerProcess(): WorkerProcess {
  const child = spawn(process.execPath, [path.join(PROJECT_ROOT, "bin/toolshed.mjs"), "worker"], {
    cwd: PROJECT_ROOT,
    // The IPC channel is only a lifeline: the worker stops when it closes (this process died, even by SIGKILL).
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    env: process.env,
  });
  let stopping = false;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.once("exit", (code, signal) => {
    if (!stopping) logger.warn("the background worker exited", { code, signal });
  });
  process.once("exit", () => child.kill("SIGTERM"));
  return {
    async stop(graceMs = 15_000) {
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
