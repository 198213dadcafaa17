import { describe, expect, it } from "vitest";
import { refusalReason } from "@/lib/net/address-policy";
import { parseCidrList } from "@/lib/net/cidr";

const everythingPrivate = parseCidrList("10.0.0.0/8 172.16.0.0/12 192.168.0.0/16 127.0.0.0/8 ::1/128 fc00::/7 100.64.0.0/10 169.254.0.0/16 fe80::/10");

describe("refusalReason", () => {
  it.each([
    ["169.254.169.254", /cloud metadata/],
    ["::ffff:169.254.169.254", /cloud metadata/],
    ["fd00:ec2::254", /cloud metadata/],
    ["100.100.100.200", /cloud metadata/],
    ["169.254.1.1", /link-local/],
    ["fe80::1", /link-local/],
    ["0.0.0.0", /unspecified/],
    ["::", /unspecified/],
    ["224.0.0.1", /multicast/],
    ["ff02::1", /multicast/],
  ])("always refuses %s, even when the allow list covers it", (ip, reason) => {
    expect(refusalReason(ip, everythingPrivate)).toMatch(reason);
    expect(refusalReason(ip, [])).toMatch(reason);
  });

  it.each(["10.1.2.3", "172.16.0.1", "192.168.1.1", "127.0.0.1", "::1", "fd12::1", "100.64.0.1"])(
    "refuses the non-public address %s unless it is in the allow list",
    (ip) => {
      expect(refusalReason(ip, [])).toMatch(/outside TOOLSHED_ALLOWED_NETWORKS/);
      expect(refusalReason(ip, everythingPrivate)).toBeUndefined();
    },
  );

  it("allows only the allowed part of the private ranges", () => {
    const allowed = parseCidrList("10.20.0.0/16");
    expect(refusalReason("10.20.3.4", allowed)).toBeUndefined();
    expect(refusalReason("10.21.3.4", allowed)).toMatch(/outside/);
  });

  it.each(["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111"])("allows the public address %s", (ip) => {
    expect(refusalReason(ip, [])).toBeUndefined();
  });

  it("refuses what is not an address", () => {
    expect(refusalReason("example.com", [])).toMatch(/not an IP/);
  });
});

describe("refusalReason: every address form", () => {
  // Only loopback 127.0.0.1 is allowed, as a test machine would allow its own test servers. Pure
  // classification: nothing here is connected to.
  const onlyOne = parseCidrList("127.0.0.1/32");

  it.each([
    ["127.0.0.2", /private or loopback address outside TOOLSHED_ALLOWED_NETWORKS/],
    ["::ffff:127.0.0.2", /private or loopback address outside/],
    ["[::ffff:7f00:2]", /private or loopback address outside/],
    ["::1", /private or loopback address outside/],
    ["::127.0.0.1", /loopback address \(127\.0\.0\.1\) embedded in an IPv4-compatible address, outside TOOLSHED_ALLOWED_NETWORKS/],
    ["::7f00:1", /loopback address \(127\.0\.0\.1\) embedded in an IPv4-compatible address/],
    ["::ffff:0:127.0.0.1", /loopback address \(127\.0\.0\.1\) embedded in an IPv4-translated address/],
    ["::ffff:0:7f00:1", /loopback address \(127\.0\.0\.1\) embedded in an IPv4-translated address/],
    ["64:ff9b::127.0.0.1", /loopback address \(127\.0\.0\.1\) embedded in a NAT64 address/],
    ["64:ff9b::10.0.0.1", /private address \(10\.0\.0\.1\) embedded in a NAT64 address/],
    ["64:ff9b:1::a00:1", /local-use NAT64 address outside/],
    ["2002:7f00:1::1", /loopback address \(127\.0\.0\.1\) embedded in a 6to4 address/],
    ["2002:c0a8:101::1", /private address \(192\.168\.1\.1\) embedded in a 6to4 address/],
    ["2001:0:808:808::80ff:fffe", /loopback address \(127\.0\.0\.1\) embedded in a Teredo address/],
    ["2001:0:a00:1::f7f7:f7f7", /private address \(10\.0\.0\.1\) embedded in a Teredo address/],
    ["::169.254.169.254", /cloud metadata address \(169\.254\.169\.254\) embedded in an IPv4-compatible address/],
    ["::ffff:0:169.254.169.254", /cloud metadata address .* embedded in an IPv4-translated address/],
    ["64:ff9b::a9fe:a9fe", /cloud metadata address .* embedded in a NAT64 address/],
    ["2002:a9fe:a9fe::1", /cloud metadata address .* embedded in a 6to4 address/],
    ["::ffff:169.254.169.254", /^cloud metadata address$/],
    ["64:ff9b::a9fe:101", /link-local address .* embedded in a NAT64 address/],
    ["::ffff:0:0.0.0.0", /unspecified address .* embedded/],
    ["2002:e000:1::1", /multicast or broadcast address .* embedded in a 6to4 address/],
    ["4000::1", /reserved \(non-public\) address outside/],
    ["2001:db8::1", /reserved/],
    ["100::1", /reserved/],
    ["fec0::1", /site-local address outside/],
    ["fd12::1", /private or loopback address outside/],
    ["100.64.0.1", /private or loopback address outside/],
    ["198.18.0.1", /reserved/],
  ])("refuses %s", (ip, reason) => {
    expect(refusalReason(ip, onlyOne)).toMatch(reason);
  });

  it.each([
    "8.8.8.8",
    "2606:4700:4700::1111",
    "::ffff:8.8.8.8",
    "[::ffff:808:808]",
    "::8.8.8.8",
    "::ffff:0:8.8.8.8",
    "64:ff9b::8.8.8.8",
    "64:ff9b::808:808",
    "2002:808:808::1",
    "2001:0:808:808::f7f7:f7f7",
    "127.0.0.1",
    "::ffff:127.0.0.1",
    "[::ffff:7f00:1]",
  ])("accepts %s (public, or the allowed 127.0.0.1 itself)", (ip) => {
    expect(refusalReason(ip, onlyOne)).toBeUndefined();
  });

  it("lets an IPv6 allow list, not an IPv4 one, open an embedding address", () => {
    expect(refusalReason("64:ff9b::a00:1", parseCidrList("10.0.0.0/8"))).toMatch(/embedded in a NAT64 address/);
    expect(refusalReason("64:ff9b::a00:1", parseCidrList("64:ff9b::a00:0/104"))).toBeUndefined();
  });
});
