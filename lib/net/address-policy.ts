import { type Address, addressClass, addressInCidrs, type Cidr, embeddedIpv4, parseAddress, parseCidrList, unmapped } from "./cidr";

/**
 * Refused whatever TOOLSHED_ALLOWED_NETWORKS says: an allow list such as 169.254.0.0/16 or
 * 100.64.0.0/10 must never open the way to instance credentials.
 */
const ALWAYS_REFUSED: readonly { cidrs: readonly Cidr[]; reason: string }[] = [
  {
    // AWS/GCP/Azure/OpenStack (IPv4 and AWS's IPv6 endpoint) and Alibaba Cloud.
    cidrs: parseCidrList("169.254.169.254/32 fd00:ec2::254/128 100.100.100.200/32"),
    reason: "cloud metadata address",
  },
  { cidrs: parseCidrList("169.254.0.0/16 fe80::/10"), reason: "link-local address" },
  { cidrs: parseCidrList("0.0.0.0/8 ::/128"), reason: "unspecified address" },
  { cidrs: parseCidrList("224.0.0.0/4 255.255.255.255/32 ff00::/8"), reason: "multicast or broadcast address" },
];

/** Words for the ipaddr.js range names a refusal can name. */
const CLASS_WORDS: Readonly<Record<string, string>> = {
  loopback: "loopback",
  private: "private",
  uniqueLocal: "unique local (private)",
  carrierGradeNat: "carrier-grade NAT",
  linkLocal: "link-local",
  unspecified: "unspecified",
  multicast: "multicast",
  broadcast: "broadcast",
  benchmarking: "benchmarking",
  deprecatedSiteLocal: "site-local",
  rfc6052: "local-use NAT64",
};
const words = (cls: string) => CLASS_WORDS[cls] ?? "reserved (non-public)";
const inForm = (form: string) => `embedded in ${form.startsWith("IPv4") ? "an" : "a"} ${form} address`;

function alwaysRefused(addr: Address): string | undefined {
  return ALWAYS_REFUSED.find((rule) => addressInCidrs(addr, rule.cidrs))?.reason;
}

/**
 * Why Toolshed may not connect to `ip`, or undefined if it may. Public addresses are always fine;
 * private, loopback, CGNAT, ULA and other non-public ranges only inside `allowedNetworks`. An IPv6
 * address that embeds IPv4 addresses (NAT64, 6to4, Teredo, IPv4-compatible or -translated) is judged
 * by them: it is public only if they are, and one that leads to a non-public IPv4 host is allowed only
 * when the IPv6 address itself lies inside `allowedNetworks` (an IPv4 allow list does not cover it).
 * IPv4-mapped addresses are the IPv4 address itself in every respect.
 */
export function refusalReason(ip: string, allowedNetworks: readonly Cidr[]): string | undefined {
  const parsed = parseAddress(ip);
  if (!parsed) return "not an IP address";
  const addr = unmapped(parsed);
  const embedded = embeddedIpv4(addr);
  const always = alwaysRefused(addr);
  if (always) return always;
  for (const inner of embedded ? embedded.ipv4 : []) {
    const reason = alwaysRefused(inner);
    if (reason && embedded) return `${reason} (${inner.toString()}) ${inForm(embedded.form)}`;
  }
  const cls = addressClass(addr);
  if (cls === "unicast" || addressInCidrs(addr, allowedNetworks)) return undefined;
  if (embedded) {
    const inner = embedded.ipv4.find((a) => addressClass(a) !== "unicast") ?? embedded.ipv4[0];
    return `${words(cls)} address (${inner.toString()}) ${inForm(embedded.form)}, outside TOOLSHED_ALLOWED_NETWORKS`;
  }
  if (cls === "loopback" || cls === "private" || cls === "uniqueLocal" || cls === "carrierGradeNat") return "private or loopback address outside TOOLSHED_ALLOWED_NETWORKS";
  return `${words(cls)} address outside TOOLSHED_ALLOWED_NETWORKS`;
}
