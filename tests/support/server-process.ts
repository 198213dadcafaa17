import { spawn, type ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import net from "node:net";

/** What the throwaway servers of the test suites (Redis, Meilisearch) share: a port, the process, its stop. */

/** A port that was free a moment ago on 127.0.0.1 (another process can take it before the server binds it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

export interface ServerProcess {
  child: ChildProcess;
  /** The last `stderrTail` characters the process wrote to stderr. */
  stderr(): string;
  /** SIGCONT (it may be paused) and SIGTERM, SIGKILL after 5 s; resolves once it exited and `dir` is removed. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Spawns a server process (stdout ignored, the tail of stderr kept for error messages) that is killed
 * when the test process exits; `dir`, its scratch directory, is removed when it is stopped.
 */
export function spawnServer(command: string, args: string[], opts: { dir: string; stderrTail: number; cwd?: string; env?: NodeJS.ProcessEnv }): ServerProcess {
  const child = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr?.on("data", (b: Buffer) => {
    err = (err + b.toString()).slice(-opts.stderrTail);
  });
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      process.removeListener("exit", killOnExit);
      child.kill("SIGCONT");
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited(child);
      clearTimeout(killer);
      rmSync(opts.dir, { recursive: true, force: true });
    })());
  return { child, stderr: () => err, stop };
}

/** Runs `start` again when it fails once: the free port can be taken between probing and binding. */
export async function retryOnce<T>(start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch {
    return await start();
  }
}
