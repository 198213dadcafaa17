// Holds TOOLSHED_DATA_DIR the way `toolshed start` does (claim + embedded Postgres) until killed.
// Run as `node --import tsx tests/support/hold-data-dir.ts`; prints one JSON line once the cluster is up.
// Tests SIGKILL it to leave an orphaned postmaster behind.
import { openDatabase } from "../../lib/runtime/database";

const database = await openDatabase({ owner: true });
process.stdout.write(JSON.stringify({ pid: process.pid, url: database.url }) + "\n");
setInterval(() => undefined, 60_000);
