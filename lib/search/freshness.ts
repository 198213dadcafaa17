import { reasonOf } from "../errors";
import { logger } from "../logger";
import { drainOutbox, searchIndex } from "./indexer";

/*
 * Writes reach the index in the same flow: database triggers put every changed server in the outbox
 * within the writing transaction, and the process that wrote calls kickSearchIndex() after commit,
 * which drains the outbox in the background. The worker also drains on a timer, which covers writes
 * from processes that stopped before their drain ran.
 */

let ready: Promise<void> | undefined;
let running: Promise<void> | undefined;
let again = false;

async function drainUntilQuiet() {
  ready ??= searchIndex().ensureReady().catch((e: unknown) => {
    ready = undefined;
    throw e;
  });
  await ready;
  do {
    again = false;
    await drainOutbox();
  } while (again);
}

/** Writes within this window are indexed together (a probe sweep changes many servers a second). */
const COALESCE_MS = 100;
let timer: NodeJS.Timeout | undefined;

function start() {
  timer = undefined;
  running = drainUntilQuiet()
    .catch((e: unknown) => logger.warn("search index update failed; it will be retried", { reason: reasonOf(e) }))
    .finally(() => (running = undefined));
}

/** Schedules (or extends) a background drain of the search outbox; failures are logged and retried by the next kick or the worker. */
export function kickSearchIndex(): void {
  if (running) again = true;
  else timer ??= setTimeout(start, COALESCE_MS);
}

/** Drains now and waits (the CLI before it exits; tests). */
export async function flushSearchIndex(): Promise<void> {
  clearTimeout(timer);
  timer = undefined;
  if (running) again = true;
  else start();
  while (running) await running;
}
