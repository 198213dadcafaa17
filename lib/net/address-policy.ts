import { type Cidr, ipInCidrs, isIpLiteral, isPublicIp, parseCidrList } from "./cidr";

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

/**
 * Why Toolshed may not connect to `ip`, or undefined if it may. Public addresses are always fine;
 * private, loopback, CGNAT, ULA and other non-public ranges only inside `allowedNetworks`.
 */
export function refusalReason(ip: string, allowedNetworks: readonly Cidr[]): string | undefined {
  if (!isIpLiteral(ip)) return "not an IP address";
  for (const rule of ALWAYS_REFUSED) if (ipInCidrs(ip, rule.cidrs)) return rule.reason;
  if (isPublicIp(ip) || ipInCidrs(ip, allowedNetworks)) return undefined;
  return "private or loopback address outside TOOLSHED_ALLOWED_NETWORKS";
}
