import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { migrate } from "../db/migrate";
import { ensureAdmin } from "../auth/users";
import { AppError, reasonOf } from "../errors";
import { seedDemoCatalog } from "../registry/import";
import { flushSearchIndex } from "../search/freshness";
import { PROJECT_ROOT, buildIsStale, runNextBuild } from "./build";
import { applyRuntimeEnv, openDatabase } from "./database";
import { startWorkerProcess, type WorkerProcess } from "./worker-process";

/** Real entries loaded on the first start of an empty database (provenance in prisma/seed/README.md). */
const DEMO_CATALOG_FILE = "prisma/seed/demo-catalog.jsonl";

export interface StartOptions {
  dev?: boolean;
  out?: (line: string) => void;
}

async function waitForHealth(url: string, child: ChildProcess, timeoutMs = 60_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new AppError("internal", `The web server exited with code ${child.exitCode}`);
    try {
      const r = await fetch(`${url}/api/health`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new AppError("unavailable", `The web server did not answer on ${url} within ${timeoutMs / 1000} s`);
}

/** Longest the web server may take to drain and write what it holds before it is killed. */
const WEB_STOP_MS = 60_000;

async function stopWebServer(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), WEB_STOP_MS);
  await exited;
  clearTimeout(timer);
}

/**
 * `toolshed start`: config → build when stale → database (embedded or DATABASE_URL) → migrations →
 * first admin → web server. Resolves when the server is up; the returned promise `done` settles when it stops.
 */
export async function startToolshed(opts: StartOptions = {}) {
  const out = opts.out ?? ((l: string) => process.stdout.write(l + "\n"));
  const e = applyRuntimeEnv();
  const database = await openDatabase({ owner: true });
  let child: ChildProcess | undefined;
  let worker: WorkerProcess | undefined;
  let stopping: Promise<void> | undefined;
  // Web server and worker first (the web server drains and writes its usage events), Postgres last.
  const stop = () =>
    (stopping ??= (async () => {
      await Promise.all([worker?.stop(), child && stopWebServer(child)]);
      await database.close();
    })());
  // Ctrl-C while starting: Postgres runs in a process group of its own, so it is stopped here, not left behind.
  const stopDuringStart = () => void stop().finally(() => process.exit(130));
  process.once("SIGINT", stopDuringStart);
  process.once("SIGTERM", stopDuringStart);
  try {
    const m = await migrate(database.url);
    out(`Database: ${database.embedded ? "embedded Postgres" : "DATABASE_URL"}, ${m.applied.length} migration(s) applied, ${m.alreadyApplied} already present`);
    const admin = await ensureAdmin({ email: e.TOOLSHED_ADMIN_EMAIL, password: e.TOOLSHED_ADMIN_PASSWORD });
    // A demo catalog that cannot be loaded is worth a line, not a failed start.
    const demo = await seedDemoCatalog(path.join(PROJECT_ROOT, DEMO_CATALOG_FILE)).catch((err: unknown) => out(`Demo catalog not loaded: ${reasonOf(err)}`));
    if (demo) out(`Demo catalog loaded: ${demo.created} servers from ${DEMO_CATALOG_FILE}${demo.failed ? ` (${demo.failed} skipped)` : ""}`);
    // Index what is queued (the demo catalog, or everything after an upgrade) before the build blocks this process.
    await flushSearchIndex();
    // After the database checks, so a wrong DATABASE_URL fails in seconds rather than after a build.
    if (!opts.dev && buildIsStale()) {
      out("Building the web app (first start or changed sources)…");
      if (!runNextBuild()) throw new AppError("internal", "next build failed; see the output above");
    }
    child = spawn(process.execPath, [path.join(PROJECT_ROOT, "bin/toolshed.mjs"), "web", ...(opts.dev ? ["--dev"] : [])], {
      cwd: PROJECT_ROOT,
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: opts.dev ? "development" : "production" },
    });
    process.once("exit", () => child?.kill("SIGTERM"));
    const host = ["0.0.0.0", "::"].includes(e.TOOLSHED_HOST) ? "127.0.0.1" : e.TOOLSHED_HOST;
    await waitForHealth(`http://${host.includes(":") ? `[${host}]` : host}:${e.PORT}`, child);
    if (e.TOOLSHED_WORKER) worker = startWorkerProcess();
    out(`Toolshed is running at ${e.publicUrl}`);
    if (admin?.password) out(`Admin sign-in (shown once): ${admin.email} / ${admin.password}`);
    else if (admin) out(`Admin sign-in: ${admin.email} (password from TOOLSHED_ADMIN_PASSWORD)`);
    const done = new Promise<number>((resolve) => child!.once("exit", (code) => resolve(code ?? 0)));
    process.off("SIGINT", stopDuringStart);
    process.off("SIGTERM", stopDuringStart);
    return { stop, done };
  } catch (err) {
    process.off("SIGINT", stopDuringStart);
    process.off("SIGTERM", stopDuringStart);
    await stop();
    throw err;
  }
}
