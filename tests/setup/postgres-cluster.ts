import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres } from "@/lib/db/embedded";

declare module "vitest" {
  export interface ProvidedContext {
    pgServerUrl: string;
  }
}

/** Starts one real embedded Postgres for the integration run, in a throwaway directory. */
export default async function setup(project: TestProject) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "toolshed-test-pg-"));
  chmodSync(dataDir, 0o711);
  const pg = await startEmbeddedPostgres({ dataDir, password: "test" });
  project.provide("pgServerUrl", pg.url.replace(/\/[^/]*$/, ""));
  return async () => {
    await pg.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
