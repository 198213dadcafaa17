import { appendFileSync, existsSync, readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { AppError, reasonOf } from "../errors";
import { isAlive } from "../runtime/datadir";
import { logger } from "../logger";
import { loadEmbeddedPostgres } from "./embedded-postgres";
import { startPostmaster, type Postmaster } from "./postmaster";
import { connectPg } from "./pg";

export const EMBEDDED_DB = "toolshed";

export interface EmbeddedHandle {
  url: string;
  port: number;
  /** The postmaster's pid now (it changes when a Postgres that died was started again). */
  pid(): number | undefined;
  stop(): Promise<void>;
}

/** The `postgres` binary of the embedded-postgres platform package (the package does not export its path). */
async function postgresBinary(): Promise<string> {
  const platform = process.platform === "win32" ? "windows" : process.platform;
  const mod = (await import(`@embedded-postgres/${platform}-${process.arch}`)) as { postgres: string };
  return mod.postgres;
}

/** An ephemeral port the OS says is free right now (never 5432, which another Postgres may own). */
export async function freePort(preferred?: number): Promise<number> {
  const tryPort = (port: number) =>
    new Promise<number | undefined>((resolve) => {
      const srv = net.createServer();
      srv.once("error", () => resolve(undefined));
      srv.listen(port, "127.0.0.1", () => {
        const p = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
  if (preferred && preferred !== 5432) {
    const p = await tryPort(preferred);
    if (p) return p;
  }
  let p: number | undefined;
  do p = await tryPort(0);
  while (!p || p === 5432);
  return p;
}

/** Guards against a recycled pid: only signal a process that really is a postgres server. */
function isPostgres(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("postgres");
  } catch {
    return process.platform !== "linux"; // no /proc to ask: trust the pid file
  }
}

/** A postmaster left running by a Toolshed process that was killed: stop it before starting ours. */
async function stopOrphan(pgDir: string, log: (m: string) => void) {
  const pidFile = path.join(pgDir, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  if (!pid || !isAlive(pid) || !isPostgres(pid)) return;
  log(`stopping orphaned postgres pid ${pid}`);
  process.kill(pid, "SIGINT");
  for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(pid)) throw new AppError("already_running", `A Postgres (pid ${pid}) still runs on ${pgDir}; stop it first`);
}

/**
 * Starts a real Postgres from the embedded-postgres package with its data under `<dataDir>/pg`.
 * The caller must hold the data dir (acquireDataDir), so no other Toolshed uses the cluster.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  password: string;
  port?: number;
}): Promise<EmbeddedHandle> {
  const pgDir = path.join(opts.dataDir, "pg");
  const logFile = path.join(opts.dataDir, "postgres.log");
  const log = (m: string) => appendFileSync(logFile, m.endsWith("\n") ? m : m + "\n");
  await stopOrphan(pgDir, log);
  const port = await freePort(opts.port);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pgServer = new EmbeddedPostgres({
    databaseDir: pgDir,
    port,
    user: "postgres",
    password: opts.password,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ["--encoding=UTF8", "--locale=C.UTF-8"],
    // Loopback only, and no unix socket inside the project tree (build tools would trip over it).
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
    // Used for initdb only; the server itself is started by startPostmaster (its own process group).
    onLog: log,
    onError: (e) => log(`[error] ${reasonOf(e)}`),
  });
  const flags = ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="];
  let postmaster: Postmaster;
  try {
    if (!existsSync(path.join(pgDir, "PG_VERSION"))) await pgServer.initialise();
    postmaster = await startPostmaster({
      binary: await postgresBinary(),
      dataDir: pgDir,
      port,
      flags,
      log,
      onRestart: (attempt, reason) => logger.warn("embedded Postgres exited; starting it again", { attempt, reason }),
    });
  } catch (e) {
    throw new AppError("unavailable", `Embedded Postgres did not start (see ${logFile}): ${reasonOf(e ?? "exited")}`, {
      cause: e,
    });
  }
  const base = `postgresql://postgres:${encodeURIComponent(opts.password)}@127.0.0.1:${port}`;
  try {
    const admin = await connectPg(`${base}/postgres`);
    try {
      const { rowCount } = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [EMBEDDED_DB]);
      if (!rowCount) await admin.query(`CREATE DATABASE "${EMBEDDED_DB}"`);
    } finally {
      await admin.end();
    }
  } catch (e) {
    await postmaster.stop();
    throw e;
  }
  return { url: `${base}/${EMBEDDED_DB}`, port, pid: () => postmaster.pid, stop: () => postmaster.stop() };
}
