// Child processes of a benchmark (web server, worker, MCP servers) and the clean-up that stops them,
// on success, failure or Ctrl-C. Shared by bench/registry.mjs, bench/prober.mjs and bench/catalog.mjs.
import { spawn } from "node:child_process";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * `before` runs first on clean-up (e.g. stop load generators); then every child's process group gets
 * SIGTERM, and SIGKILL after `graceMs`; then the `cleanups` callbacks run, last registered first.
 */
export function processes({ root, log, graceMs = 5_000, before = () => {} }) {
  const children = [];
  const cleanups = [];
  let cleaning;

  /** Runs once: a second call (main's catch after Ctrl-C) waits for the first instead of exiting half-way. */
  function cleanup() {
    cleaning ??= stopAll();
    return cleaning;
  }
  async function stopAll() {
    before();
    for (const c of children.reverse()) {
      if (c.exitCode !== null || c.signalCode !== null) continue;
      try {
        process.kill(-c.pid, "SIGTERM"); // the process group this script created for the child
      } catch {
        /* gone */
      }
      await Promise.race([new Promise((r) => c.once("exit", r)), sleep(graceMs)]);
      try {
        if (c.exitCode === null && c.signalCode === null) process.kill(-c.pid, "SIGKILL");
      } catch {
        /* gone */
      }
    }
    for (const f of cleanups.reverse()) await f().catch((e) => log(`cleanup: ${e.message}`));
  }
  process.on("SIGINT", () => cleanup().finally(() => process.exit(130)));
  process.on("SIGTERM", () => cleanup().finally(() => process.exit(143)));

  /** A node child in its own process group; `child.output()` is the last 20 kB of its stdout and stderr. */
  function startChild(label, file, argv, env, nodeArgs = []) {
    const child = spawn(process.execPath, [...nodeArgs, file, ...argv], { cwd: root, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    children.push(child);
    let output = "";
    const keep = (b) => (output = (output + b.toString()).slice(-20_000));
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.output = () => output;
    child.label = label;
    return child;
  }

  /** Polls `url` until it answers 2xx; fails early when the child exits. */
  async function waitFor(url, child, timeoutMs = 90_000) {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (child.exitCode !== null) throw new Error(`${child.label} exited (${child.exitCode}):\n${child.output()}`);
      try {
        if ((await fetch(url)).ok) return;
      } catch {
        /* not yet */
      }
      await sleep(200);
    }
    throw new Error(`${child.label} did not answer ${url} within ${timeoutMs / 1000} s:\n${child.output()}`);
  }

  /** Runs a benchmark's main function, cleans up either way, and exits 0, or 1 after logging the failure. */
  async function run(main) {
    try {
      await main();
      await cleanup();
      process.exit(0);
    } catch (e) {
      log(`FAILED: ${e.stack ?? e}`);
      await cleanup();
      process.exit(1);
    }
  }

  return { startChild, waitFor, cleanup, cleanups, run };
}
