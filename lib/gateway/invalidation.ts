/**
 * "A server's gateway-relevant state changed" (settings, credentials, invoke rules, an approval), so
 * this replica's cached gateway context for it is dropped at once; other replicas follow within the
 * context's time to live. A separate module so that the services making the changes need not import
 * the gateway (which imports them).
 */
const listeners = new Set<(serverName: string) => void>();

export function onServerChanged(listener: (serverName: string) => void): void {
  listeners.add(listener);
}

export function serverChanged(serverName: string): void {
  for (const l of listeners) l(serverName);
}
