import type http from "node:http";
import { reasonOf } from "../errors";
import { logger } from "../logger";

/** How long requests and streams in flight may run on after SIGINT/SIGTERM before they are cut. */
export const DRAIN_MS = 10_000;

/**
 * Stops an HTTP server on SIGINT or SIGTERM without losing work: it stops accepting connections, lets
 * the requests and streams in flight end (at most `drainMs`, then cuts what is left), and only then
 * runs `afterDrain` (write what is still queued, close stores). Resolves when all of that is done;
 * a second signal meanwhile changes nothing.
 */
export function stopOnSignals(server: http.Server, afterDrain: () => Promise<void>, drainMs = DRAIN_MS): Promise<void> {
  const active = new Set<http.ServerResponse>();
  server.on("request", (_req: http.IncomingMessage, res: http.ServerResponse) => {
    active.add(res);
    res.once("close", () => active.delete(res));
  });
  const idle = (ms: number) =>
    new Promise<void>((resolve) => {
      const until = Date.now() + ms;
      const check = () => (active.size === 0 || Date.now() >= until ? resolve() : setTimeout(check, 25));
      check();
    });
  let stopping: Promise<void> | undefined;
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      stopping ??= (async () => {
        logger.info("stopping: draining requests in flight", { signal, inFlight: active.size });
        server.close();
        server.closeIdleConnections();
        await idle(drainMs);
        if (active.size) logger.warn("stopping: cutting requests still running after the drain time", { count: active.size, drainMs });
        server.closeAllConnections();
        await idle(1_000); // the cut responses' close handlers record their usage events
        await afterDrain().catch((e: unknown) => logger.error("stopping: cleanup failed", { error: reasonOf(e) }));
        resolve();
      })();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
