import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { BIN, childEnv, lines, PROJECT_ROOT, runCli } from "../support/cli";
import { testDatabase } from "../support/db";
import { startEverything, startUnauthorizedServer, type RunningServer } from "../support/mcp-servers";
import { adminPrincipal, allowLoopbackAndKey, publishRemote } from "../support/probing";

const dataDir = mkdtempSync(path.join(os.tmpdir(), "toolshed-probe-cli-"));
const vars = () => ({ DATABASE_URL: testDatabase.url, TOOLSHED_DATA_DIR: dataDir, TOOLSHED_ALLOWED_NETWORKS: "127.0.0.0/8", TOOLSHED_ENCRYPTION_KEY: process.env.TOOLSHED_ENCRYPTION_KEY });
const toolshed = (args: string[]) => runCli(args, vars(), 60_000);

let everything: RunningServer;
let locked: RunningServer;

beforeAll(async () => {
  allowLoopbackAndKey();
  [everything, locked] = await Promise.all([startEverything("streamableHttp"), startUnauthorizedServer()]);
  const admin = await adminPrincipal();
  await publishRemote(admin, "io.test/everything", everything.url);
}, 60_000);

afterAll(async () => {
  await Promise.all([everything?.stop(), locked?.stop()]);
  rmSync(dataDir, { recursive: true, force: true });
});

describe("toolshed probe", () => {
  it("probes a published server now, prints a table with its 13 tools, records it and exits 0", async () => {
    const r = await toolshed(["probe", "io.test/everything"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const [head, row, ...rest] = lines(r.stdout);
    expect(head.split(/\s+/)).toEqual(["SERVER", "VERSION", "TRANSPORT", "OUTCOME", "ERA", "PROTOCOL", "TOOLS", "MS"]);
    expect(rest).toEqual([]);
    const cells = row.split(/\s+/);
    expect(cells.slice(0, 7)).toEqual(["io.test/everything", "1.0.0", "streamable-http", "UP", "legacy", "2025-11-25", "13"]);
    expect(Number(cells[7])).toBeGreaterThan(0);
    expect(await db().probe.count({ where: { server: { name: "io.test/everything" }, trigger: "MANUAL", outcome: "UP" } })).toBe(1);
  });

  it("--all probes every server with a remote and exits 1 when one is not UP or DEGRADED", async () => {
    const admin = await adminPrincipal();
    await publishRemote(admin, "io.test/locked", locked.url);
    const r = await toolshed(["probe", "--all"]);
    expect(r.code).toBe(1);
    const rows = lines(r.stdout).slice(1).map((l) => l.split(/\s+/)).map((c) => [c[0], c[3]]);
    expect(rows).toEqual([
      ["io.test/everything", "UP"],
      ["io.test/locked", "AUTH_REQUIRED"],
    ]);
    expect(r.stderr).toMatch(/^io\.test\/locked: .*401/m);
  });

  it("usage errors exit 2; an unknown server exits 1", async () => {
    expect((await toolshed(["probe"])).code).toBe(2);
    expect((await toolshed(["probe", "a", "b"])).code).toBe(2);
    expect((await toolshed(["probe", "--all", "io.test/everything"])).code).toBe(2);
    const missing = await toolshed(["probe", "io.test/missing"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/io\.test\/missing not found/);
  });
});

describe("toolshed worker", () => {
  it("probes due servers in the background and stops cleanly on SIGTERM", async () => {
    await db().server.updateMany({ data: { nextProbeAt: new Date(Date.now() + 86_400_000) } });
    await db().server.update({ where: { name: "io.test/everything" }, data: { nextProbeAt: null } });
    const before = await db().probe.count({ where: { server: { name: "io.test/everything" }, trigger: "SCHEDULED" } });
    const child = spawn(process.execPath, [BIN, "worker"], { cwd: PROJECT_ROOT, env: childEnv(vars()), stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (b: Buffer) => (output += b.toString()));
    child.stderr.on("data", (b: Buffer) => (output += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      const until = Date.now() + 45_000;
      let n = before;
      while (n === before && Date.now() < until && child.exitCode === null) {
        await new Promise((r) => setTimeout(r, 250));
        n = await db().probe.count({ where: { server: { name: "io.test/everything" }, trigger: "SCHEDULED" } });
      }
      expect(n, output).toBe(before + 1);
      const server = await db().server.findUniqueOrThrow({ where: { name: "io.test/everything" } });
      expect(server.nextProbeAt!.getTime()).toBeGreaterThan(Date.now() + 600_000);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited, output).toBe(0);
  }, 60_000);

  it("stops when the process that started it goes away (IPC lifeline, as under toolshed start)", async () => {
    const child = spawn(process.execPath, [BIN, "worker"], { cwd: PROJECT_ROOT, env: childEnv(vars()), stdio: ["ignore", "ignore", "ignore", "ipc"] });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    await new Promise((r) => setTimeout(r, 1_500));
    child.disconnect();
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    expect(await exited).toBe(0);
    clearTimeout(timer);
  }, 60_000);
});
