import { existsSync, mkdtempSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { freePort, retryOnce, spawnServer } from "./server-process";

/**
 * A real, throwaway redis-server (the Debian package; `.ci/run` installs it) on a free port, without
 * persistence. `pause`/`resume` freeze the process (SIGSTOP/SIGCONT) to play a Redis that hangs.
 */
export interface RedisServer {
  url: string;
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

/** The redis-server binary: REDIS_SERVER when set, else the first on PATH; undefined when none. */
export function findRedisServer(): string | undefined {
  if (process.env.REDIS_SERVER) return existsSync(process.env.REDIS_SERVER) ? process.env.REDIS_SERVER : undefined;
  const dirs = (process.env.PATH ?? "").split(path.delimiter).concat(["/usr/bin", "/usr/local/bin"]);
  return dirs.map((d) => path.join(d, "redis-server")).find((p) => existsSync(p));
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.on("error", () => done(false));
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (b) => done(b.toString().startsWith("+PONG")));
  });
}

async function startOnce(binary: string): Promise<RedisServer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "toolshed-redis-"));
  const port = await freePort();
  const { child, stderr, stop } = spawnServer(binary, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], { dir, stderrTail: 4000 });

  const deadline = Date.now() + 10_000;
  while (!(await ping(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`redis-server did not start: ${stderr().slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return { url: `redis://127.0.0.1:${port}`, pause: () => child.kill("SIGSTOP"), resume: () => child.kill("SIGCONT"), stop };
}

/** Starts a redis-server; undefined when none is installed. */
export async function startRedis(): Promise<RedisServer | undefined> {
  const binary = findRedisServer();
  if (!binary) return undefined;
  return retryOnce(() => startOnce(binary));
}
