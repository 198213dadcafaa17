import { type ChildProcess, spawn } from "node:child_process";
import { BIN, childEnv, PROJECT_ROOT } from "./cli";
import { freePort } from "./server-process";

export interface GatewayProcess {
  url: string;
  child: ChildProcess;
  /** What the process wrote to stderr so far. */
  stderr(): string;
  stop(): Promise<void>;
}

/** `toolshed gateway` as a real process on the test database, answering on a free loopback port. */
export async function startGatewayProcess(dataDir: string, vars: Record<string, string | undefined> = {}): Promise<GatewayProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, "gateway"], {
    cwd: PROJECT_ROOT,
    env: childEnv({
      DATABASE_URL: process.env.DATABASE_URL,
      TOOLSHED_ENCRYPTION_KEY: process.env.TOOLSHED_ENCRYPTION_KEY,
      TOOLSHED_ALLOWED_NETWORKS: "127.0.0.0/8",
      TOOLSHED_DATA_DIR: dataDir,
      TOOLSHED_HOST: "127.0.0.1",
      PORT: String(port),
      ...vars,
    }),
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
  };
  for (let i = 0; i < 120; i++) {
    if (child.exitCode !== null) throw new Error(`toolshed gateway exited with ${child.exitCode}: ${stderr}`);
    if (await fetch(`${url}/api/health`).then((r) => r.ok, () => false)) return { url, child, stderr: () => stderr, stop };
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(`toolshed gateway did not answer on ${url}: ${stderr}`);
}
