import { EventEmitter } from "node:events";

/**
 * "A server's gateway-relevant state changed" (settings, credentials, invoke rules, an approval), so
 * this replica's cached gateway context for it is dropped at once; other replicas follow within the
 * context's time to live. A separate module so that the services making the changes need not import
 * the gateway (which imports them).
 *
 * The emitter lives on globalThis: in the web process the route handlers (bundled by Next) and the
 * gateway (loaded by the custom server) are different copies of this module, and a module-level
 * listener set would never carry a change made through the API to the gateway's caches.
 */
const KEY = Symbol.for("toolshed.gateway.serverChanged");
const EVENT = "changed";

function emitter(): EventEmitter {
  const g = globalThis as Record<symbol, EventEmitter | undefined>;
  if (!g[KEY]) {
    g[KEY] = new EventEmitter();
    g[KEY].setMaxListeners(0); // one listener per cache per module copy; dev reloads add copies
  }
  return g[KEY];
}

export function onServerChanged(listener: (serverName: string) => void): void {
  emitter().on(EVENT, listener);
}

export function serverChanged(serverName: string): void {
  emitter().emit(EVENT, serverName);
}
