import { describe, expect, it } from "vitest";
import { parseCidrList } from "@/lib/net/cidr";
import { clientAddress } from "@/lib/http/client-address";

describe("the client address the web server hands to Next (sign-in limits count by it)", () => {
  const proxies = parseCidrList("10.0.0.0/8");
  it.each([
    ["no trusted proxies: X-Forwarded-For written by the client is ignored", "203.0.113.5", "1.2.3.4", [], "203.0.113.5"],
    ["a peer that is not a trusted proxy cannot name another address", "203.0.113.5", "1.2.3.4", proxies, "203.0.113.5"],
    ["behind a trusted proxy: the hop it saw", "10.0.0.2", "198.51.100.7", proxies, "198.51.100.7"],
    ["a spoofed first hop is skipped: the nearest untrusted hop counts", "10.0.0.2", "1.2.3.4, 198.51.100.7, 10.0.0.9", proxies, "198.51.100.7"],
    ["IPv4-mapped peers are plain IPv4", "::ffff:203.0.113.5", undefined, [], "203.0.113.5"],
    ["a trusted proxy without the header: itself", "10.0.0.2", undefined, proxies, "10.0.0.2"],
  ])("%s", (_why, peer, xff, trusted, expected) => {
    expect(clientAddress(peer, xff, trusted)).toBe(expected);
  });
});
