import { ipInCidrs, type Cidr } from "../net/cidr";

/**
 * The address a request comes from: the socket peer, or, when the peer is one of the trusted proxies
 * (TOOLSHED_TRUSTED_PROXIES), the nearest X-Forwarded-For hop that is not itself a trusted proxy.
 * Anything a client writes into X-Forwarded-For itself is ignored.
 */
export function clientAddress(peer: string, forwardedFor: string | undefined, trusted: readonly Cidr[]): string {
  const socket = peer.replace(/^::ffff:/, "");
  if (!trusted.length || !forwardedFor || !ipInCidrs(socket, trusted)) return socket;
  const hops = forwardedFor.split(",").map((h) => h.trim().replace(/^::ffff:/, "")).filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) if (!ipInCidrs(hops[i], trusted)) return hops[i];
  return hops[0] ?? socket;
}
