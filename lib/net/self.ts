import { lookup } from "node:dns/promises";
import os from "node:os";
import { type Address, addressClass, isIpLiteral, parseAddress, unmapped } from "./cidr";

/**
 * Toolshed's own endpoints, so that the gateway never calls itself: an address that is loopback,
 * unspecified or one of this machine's interface addresses, on a port Toolshed listens on, is Toolshed.
 * The ports are the configured one (PORT, passed in by the caller) and every port a gateway request
 * arrived on in this process (a server listening on another port, e.g. a replica or a test).
 */

// Shared through globalThis: the web process loads this module once for its HTTP entry and once more
// inside Next's bundle (the settings routes), and both must know the ports seen.
const PORTS = Symbol.for("toolshed.net.ownPorts");
const seenPorts = (): Set<number> => ((globalThis as Record<symbol, Set<number> | undefined>)[PORTS] ??= new Set<number>());

/** Remembers that this process answers on `port` (the local port of a request it received). */
export function noteOwnPort(port: number | undefined) {
  if (port && !seenPorts().has(port)) seenPorts().add(port);
}

/** The ports this installation listens on: the configured one and those requests arrived on. */
export function ownPorts(configuredPort: number): Set<number> {
  return new Set([configuredPort, ...seenPorts()]);
}

const key = (addr: Address) => unmapped(addr).toString();

/** Whether an address reaches this machine: loopback, unspecified (0.0.0.0 and :: reach the local host) or an interface's own address. */
export function isOwnAddress(ip: string): boolean {
  const addr = parseAddress(ip);
  if (!addr) return false;
  const cls = addressClass(addr);
  if (cls === "loopback" || cls === "unspecified") return true;
  const wanted = key(addr);
  return Object.values(os.networkInterfaces()).some((list) => list?.some((i) => {
    const own = parseAddress(i.address);
    return own !== null && key(own) === wanted;
  }));
}

export const defaultPort = (url: URL) => (url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80);

/** Why a connection to `address`:`port` would reach Toolshed itself, or undefined. */
export function ownEndpointReason(address: string, port: number, configuredPort: number): string | undefined {
  if (!ownPorts(configuredPort).has(port) || !isOwnAddress(address)) return undefined;
  return `this machine's own address on Toolshed's own port ${port} (the gateway would call itself)`;
}

async function systemResolve(host: string): Promise<string[]> {
  try {
    return (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
  } catch {
    return []; // a name that does not resolve reaches nobody, Toolshed included; connecting will fail on its own
  }
}

/**
 * Why `url` reaches Toolshed itself, or undefined: its host (resolved now, every address) is one of
 * this machine's addresses and its port one Toolshed listens on. The gateway checks again on every
 * new connection, since a name may resolve differently later.
 */
export async function ownUrlReason(url: URL, configuredPort: number, resolve: (host: string) => Promise<string[]> = systemResolve): Promise<string | undefined> {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const port = defaultPort(url);
  if (!ownPorts(configuredPort).has(port)) return undefined;
  const addresses = isIpLiteral(host) ? [host] : await resolve(host);
  for (const address of addresses) {
    const reason = ownEndpointReason(address, port, configuredPort);
    if (reason) return `${host}${host === address ? "" : ` (${address})`} is ${reason}`;
  }
  return undefined;
}
