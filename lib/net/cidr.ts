import ipaddr from "ipaddr.js";
import { AppError } from "@/lib/errors";

/**
 * IP addresses and networks, parsed and classified with ipaddr.js. What Toolshed refuses to connect
 * to, and why, is decided in address-policy.ts from the classes named here.
 */

export type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** One network of an allow list, e.g. `10.0.0.0/8` or `fd00::/8`. */
export interface Cidr {
  readonly family: 4 | 6;
  /** The network address with host bits cleared. */
  readonly network: Address;
  readonly prefix: number;
  /** Normalised text, e.g. `10.0.0.0/8`. */
  readonly text: string;
}

/** Brackets (`[::1]`) and an IPv6 zone (`fe80::1%eth0`) are not part of the address. */
function bare(host: string): string {
  let h = host.trim();
  if (h.startsWith("[") && h.endsWith("]")) h = h.slice(1, -1);
  const zone = h.indexOf("%");
  if (zone >= 0 && h.includes(":")) h = h.slice(0, zone);
  return h;
}

/**
 * Parses an IPv4 or IPv6 address (bracketed, with a zone, or with a dotted IPv4 tail), else null.
 * Only the plain forms count: `010.0.0.1`, `0x7f.1` or `127.1` are read differently by different
 * stacks, so they are not addresses here (URL hosts are already normalised by the URL parser). A dotted
 * tail is turned into two hex groups before ipaddr.js sees it, because ipaddr.js reads `::a.b.c.d`
 * (IPv4-compatible) as `::ffff:a.b.c.d` (IPv4-mapped), which is another address.
 */
export function parseAddress(host: string): Address | null {
  let h = bare(host);
  if (ipaddr.IPv4.isValidFourPartDecimal(h)) return ipaddr.IPv4.parse(h);
  if (!h.includes(":") || !/^[0-9a-fA-F:.]+$/.test(h)) return null;
  const lastColon = h.lastIndexOf(":");
  const tail = h.slice(lastColon + 1);
  if (tail.includes(".")) {
    if (!ipaddr.IPv4.isValidFourPartDecimal(tail)) return null;
    const [a, b, c, d] = ipaddr.IPv4.parse(tail).octets;
    h = `${h.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  return ipaddr.IPv6.isValid(h) ? ipaddr.IPv6.parse(h) : null;
}

/** An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is the IPv4 address it carries: a socket to it reaches that host. */
export function unmapped(addr: Address): Address {
  return addr.kind() === "ipv6" && (addr as ipaddr.IPv6).isIPv4MappedAddress() ? (addr as ipaddr.IPv6).toIPv4Address() : addr;
}

const familyOf = (addr: Address): 4 | 6 => (addr.kind() === "ipv4" ? 4 : 6);

/** Parses one CIDR (`10.0.0.0/8`, `fd00::/8`); a bare address is a single-host network. Null if invalid. */
export function parseCidr(entry: string): Cidr | null {
  const [addrText, prefixText, ...rest] = entry.trim().split("/");
  if (rest.length || bare(addrText) !== addrText.trim()) return null;
  let addr = parseAddress(addrText);
  if (!addr) return null;
  const bits = familyOf(addr) === 4 ? 32 : 128;
  let prefix = bits;
  if (prefixText !== undefined) {
    if (!/^\d{1,3}$/.test(prefixText)) return null;
    prefix = Number(prefixText);
    if (prefix > bits) return null;
  }
  // ::ffff:10.0.0.0/104 is the same network as 10.0.0.0/8; match it against IPv4 addresses.
  if (prefix >= 96 && unmapped(addr) !== addr) {
    addr = unmapped(addr);
    prefix -= 96;
  }
  const network = addr.kind() === "ipv4" ? ipaddr.IPv4.networkAddressFromCIDR(`${addr.toString()}/${prefix}`) : ipaddr.IPv6.networkAddressFromCIDR(`${addr.toString()}/${prefix}`);
  return { family: familyOf(network), network, prefix, text: `${network.toString()}/${prefix}` };
}

/**
 * Parses a list such as `"10.0.0.0/8, 192.168.0.0/16, fd00::/8, 127.0.0.1/32"` (commas and/or
 * whitespace between entries). Host bits are cleared. Throws AppError("config_invalid") naming the bad entry.
 */
export function parseCidrList(s: string): Cidr[] {
  const out: Cidr[] = [];
  for (const entry of s.split(/[\s,]+/)) {
    if (!entry) continue;
    const cidr = parseCidr(entry);
    if (!cidr) {
      throw new AppError("config_invalid", `"${entry}" is not a valid CIDR (expected e.g. 10.0.0.0/8 or fd00::/8)`, {
        errors: [{ pointer: entry, message: "not a valid IPv4 or IPv6 CIDR" }],
      });
    }
    out.push(cidr);
  }
  return out;
}

/** Whether an address lies in any of `cidrs` (an IPv4-mapped address is matched as its IPv4 address). */
export function addressInCidrs(addr: Address, cidrs: readonly Cidr[]): boolean {
  const a = unmapped(addr);
  const family = familyOf(a);
  return cidrs.some((c) => c.family === family && a.match(c.network, c.prefix));
}

/** Whether `ip` (IPv4, IPv6, bracketed or IPv4-mapped) lies in any of `cidrs`. False if `ip` is not an address. */
export function ipInCidrs(ip: string, cidrs: readonly Cidr[]): boolean {
  const addr = parseAddress(ip);
  return addr !== null && addressInCidrs(addr, cidrs);
}

/** Whether a URL host is an IP address rather than a name (`10.0.0.1`, `::1`, `[::1]`). */
export function isIpLiteral(host: string): boolean {
  return parseAddress(host) !== null;
}

// ───────────────────────────── classification ─────────────────────────────

/** How an IPv6 address carries IPv4 addresses that decide where its packets end up. */
export type EmbeddingForm = "IPv4-mapped" | "IPv4-compatible" | "IPv4-translated" | "NAT64" | "6to4" | "Teredo";

export interface Embedded {
  form: EmbeddingForm;
  /** The IPv4 addresses carried (Teredo: its server and its client). */
  ipv4: ipaddr.IPv4[];
}

const v4 = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
const COMPATIBLE = ipaddr.parseCIDR("::/96") as [ipaddr.IPv6, number];
const NAT64_WELL_KNOWN = ipaddr.parseCIDR("64:ff9b::/96") as [ipaddr.IPv6, number];

/**
 * The IPv4 addresses an IPv6 address embeds (RFC 4291 mapped and compatible, RFC 6145 translated,
 * RFC 6052 NAT64 well-known prefix, RFC 3056 6to4, RFC 4380 Teredo), or undefined. ipaddr.js names
 * these ranges but extracts only the mapped form. The local-use NAT64 prefix (64:ff9b:1::/48) places
 * the IPv4 address by a prefix length only its network knows, so it is not read here.
 */
export function embeddedIpv4(addr: Address): Embedded | undefined {
  if (addr.kind() !== "ipv6") return undefined;
  const a = addr as ipaddr.IPv6;
  const p = a.parts;
  const last = () => v4(p[6], p[7]);
  switch (a.range()) {
    case "ipv4Mapped":
      return { form: "IPv4-mapped", ipv4: [last()] };
    case "rfc6145":
      return { form: "IPv4-translated", ipv4: [last()] };
    case "rfc6052":
      return a.match(NAT64_WELL_KNOWN) ? { form: "NAT64", ipv4: [last()] } : undefined;
    case "6to4":
      return { form: "6to4", ipv4: [v4(p[1], p[2])] };
    case "teredo":
      return { form: "Teredo", ipv4: [v4(p[2], p[3]), v4(~p[6] & 0xffff, ~p[7] & 0xffff)] };
    case "unicast":
      return a.match(COMPATIBLE) ? { form: "IPv4-compatible", ipv4: [last()] } : undefined;
    default:
      return undefined; // :: and ::1 are themselves, not 0.0.0.0 and 0.0.0.1
  }
}

const GLOBAL_UNICAST = ipaddr.parseCIDR("2000::/3") as [ipaddr.IPv6, number];

/**
 * The ipaddr.js range name of an address without looking inside it (`unicast` when none applies;
 * an IPv6 address outside 2000::/3, the only block allocated for global unicast, is `reserved`).
 */
function ownRange(addr: Address): string {
  const range = addr.range();
  if (range === "unicast" && addr.kind() === "ipv6" && !(addr as ipaddr.IPv6).match(GLOBAL_UNICAST)) return "reserved";
  return range;
}

/**
 * The class of an address as a destination: its ipaddr.js range name (`unicast`, `loopback`,
 * `private`, `linkLocal`, `uniqueLocal`, …), where an IPv6 address that embeds IPv4 addresses takes
 * the class of the first embedded one that is not `unicast` (else `unicast`): a NAT64, 6to4 or Teredo
 * address of a private IPv4 host leads to that host.
 */
export function addressClass(addr: Address): string {
  const embedded = embeddedIpv4(addr);
  if (!embedded) return ownRange(addr);
  return embedded.ipv4.map(ownRange).find((r) => r !== "unicast") ?? "unicast";
}

/** Whether an IP address is publicly routable: its class (embedded IPv4 included) is `unicast`. False for non-addresses. */
export function isPublicIp(ip: string): boolean {
  const addr = parseAddress(ip);
  return addr !== null && addressClass(addr) === "unicast";
}
