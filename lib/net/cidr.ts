import { AppError } from "@/lib/errors";

/** One network of an allow list, e.g. `10.0.0.0/8` or `fd00::/8`. Addresses are kept as bigints. */
export interface Cidr {
  readonly family: 4 | 6;
  /** The network address with host bits cleared. */
  readonly network: bigint;
  readonly prefix: number;
  /** Normalised text, e.g. `10.0.0.0/8`. */
  readonly text: string;
}

interface Ip {
  family: 4 | 6;
  value: bigint;
}

const BITS = { 4: 32, 6: 128 } as const;

function parseIpv4(s: string): bigint | null {
  const parts = s.split(".");
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const p of parts) {
    // Leading zeros are refused: some stacks read them as octal, so "010.0.0.1" is ambiguous.
    if (!/^(0|[1-9]\d{0,2})$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseIpv6(s: string): bigint | null {
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return null;
  let text = s;
  const groups: number[] = [];
  // A trailing dotted quad stands for the last two groups (e.g. ::ffff:10.0.0.1).
  const lastColon = text.lastIndexOf(":");
  if (text.includes(".")) {
    const v4 = parseIpv4(text.slice(lastColon + 1));
    if (v4 === null) return null;
    text = text.slice(0, lastColon + 1) + `${((v4 >> 16n) & 0xffffn).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const parseGroups = (h: string): number[] | null => {
    if (h === "") return [];
    const out: number[] = [];
    for (const g of h.split(":")) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parseGroups(halves[0]);
  const tail = halves.length === 2 ? parseGroups(halves[1]) : [];
  if (!head || !tail) return null;
  if (halves.length === 2) {
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return null;
    groups.push(...head, ...new Array<number>(missing).fill(0), ...tail);
  } else {
    if (head.length !== 8) return null;
    groups.push(...head);
  }
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

/** Brackets (`[::1]`) and an IPv6 zone (`fe80::1%eth0`) are not part of the address. */
function bare(host: string): string {
  let h = host.trim();
  if (h.startsWith("[") && h.endsWith("]")) h = h.slice(1, -1);
  const zone = h.indexOf("%");
  if (zone >= 0 && h.includes(":")) h = h.slice(0, zone);
  return h;
}

function parseIp(s: string): Ip | null {
  const h = bare(s);
  const v4 = parseIpv4(h);
  if (v4 !== null) return { family: 4, value: v4 };
  const v6 = parseIpv6(h);
  return v6 === null ? null : { family: 6, value: v6 };
}

/** An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is the IPv4 address it carries. */
function unmap(ip: Ip): Ip {
  if (ip.family === 6 && ip.value >> 32n === 0xffffn) return { family: 4, value: ip.value & 0xffffffffn };
  return ip;
}

function mask(family: 4 | 6, prefix: number): bigint {
  const bits = BITS[family];
  return prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(bits - prefix);
}

function formatIp(ip: Ip): string {
  if (ip.family === 4) return [24n, 16n, 8n, 0n].map((s) => String((ip.value >> s) & 0xffn)).join(".");
  const groups = Array.from({ length: 8 }, (_, i) => Number((ip.value >> BigInt(112 - 16 * i)) & 0xffffn));
  // RFC 5952: compress the longest run (length ≥ 2) of zero groups.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j > i ? j : i + 1;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(":");
  return `${hex.slice(0, best).join(":")}::${hex.slice(best + bestLen).join(":")}`;
}

/** Parses one CIDR (`10.0.0.0/8`, `fd00::/8`); a bare address is a single-host network. Null if invalid. */
export function parseCidr(entry: string): Cidr | null {
  const [addr, prefixText, ...rest] = entry.trim().split("/");
  if (rest.length) return null;
  let ip = parseIp(addr);
  if (!ip || bare(addr) !== addr.trim()) return null;
  let prefix: number = BITS[ip.family];
  if (prefixText !== undefined) {
    if (!/^\d{1,3}$/.test(prefixText)) return null;
    prefix = Number(prefixText);
    if (prefix > BITS[ip.family]) return null;
  }
  // ::ffff:10.0.0.0/104 is the same network as 10.0.0.0/8; match it against IPv4 addresses.
  if (ip.family === 6 && prefix >= 96 && ip.value >> 32n === 0xffffn) {
    ip = unmap(ip);
    prefix -= 96;
  }
  const network = ip.value & mask(ip.family, prefix);
  return { family: ip.family, network, prefix, text: `${formatIp({ family: ip.family, value: network })}/${prefix}` };
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

/** Whether `ip` (IPv4, IPv6, bracketed or IPv4-mapped) lies in any of `cidrs`. False if `ip` is not an address. */
export function ipInCidrs(ip: string, cidrs: readonly Cidr[]): boolean {
  const parsed = parseIp(ip);
  if (!parsed) return false;
  const addr = unmap(parsed);
  return cidrs.some((c) => c.family === addr.family && (addr.value & mask(c.family, c.prefix)) === c.network);
}

/** Whether a URL host is an IP address rather than a name (`10.0.0.1`, `::1`, `[::1]`). */
export function isIpLiteral(host: string): boolean {
  return parseIp(host) !== null;
}

/**
 * Addresses that are not on the public internet: loopback, private, link-local (cloud metadata),
 * CGNAT, documentation, benchmarking, multicast, reserved, NAT64/6to4/Teredo (they embed IPv4 targets).
 */
export const NON_PUBLIC_CIDRS: readonly Cidr[] = parseCidrList(
  [
    "0.0.0.0/8 10.0.0.0/8 100.64.0.0/10 127.0.0.0/8 169.254.0.0/16 172.16.0.0/12 192.0.0.0/24 192.0.2.0/24",
    "192.88.99.0/24 192.168.0.0/16 198.18.0.0/15 198.51.100.0/24 203.0.113.0/24 224.0.0.0/4 240.0.0.0/4",
    "::/128 ::1/128 64:ff9b::/96 64:ff9b:1::/48 100::/64 2001::/23 2001:db8::/32 2002::/16",
    "fc00::/7 fe80::/10 fec0::/10 ff00::/8",
  ].join(" "),
);

/** Whether an IP address is publicly routable. False for anything in NON_PUBLIC_CIDRS and for non-addresses. */
export function isPublicIp(ip: string): boolean {
  return isIpLiteral(ip) && !ipInCidrs(ip, NON_PUBLIC_CIDRS);
}
