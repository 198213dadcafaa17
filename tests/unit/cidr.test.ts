import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { addressClass, embeddedIpv4, ipInCidrs, isIpLiteral, isPublicIp, parseAddress, parseCidr, parseCidrList } from "@/lib/net/cidr";

const texts = (s: string) => parseCidrList(s).map((c) => c.text);

describe("parseCidrList", () => {
  it("parses a mixed IPv4/IPv6 list separated by commas and spaces", () => {
    expect(texts("10.0.0.0/8, 192.168.0.0/16, fd00::/8, 127.0.0.1/32")).toEqual(["10.0.0.0/8", "192.168.0.0/16", "fd00::/8", "127.0.0.1/32"]);
    expect(texts(" 10.0.0.0/8 ,, 172.16.0.0/12\n::1/128 ")).toEqual(["10.0.0.0/8", "172.16.0.0/12", "::1/128"]);
  });

  it("returns an empty list for an empty or blank string", () => {
    expect(parseCidrList("")).toEqual([]);
    expect(parseCidrList("  ,  ")).toEqual([]);
  });

  it("clears host bits and normalises IPv6 text", () => {
    expect(texts("10.1.2.3/8")).toEqual(["10.0.0.0/8"]);
    expect(texts("FD00:0:0:0:0:0:0:1/8")).toEqual(["fd00::/8"]);
    expect(texts("2001:db8:0:0:1:0:0:1/128")).toEqual(["2001:db8::1:0:0:1/128"]);
    expect(texts("0.0.0.0/0, ::/0")).toEqual(["0.0.0.0/0", "::/0"]);
  });

  it("reads a bare address as a single host", () => {
    expect(texts("127.0.0.1, ::1")).toEqual(["127.0.0.1/32", "::1/128"]);
  });

  it("reads an IPv4-mapped IPv6 network as the IPv4 network", () => {
    expect(texts("::ffff:10.0.0.0/104")).toEqual(["10.0.0.0/8"]);
  });

  it.each([
    ["10.0.0.0/33"],
    ["10.0.0/8"],
    ["256.0.0.0/8"],
    ["010.0.0.0/8"],
    ["10.0.0.0/"],
    ["10.0.0.0/8/8"],
    ["10.0.0.0/-1"],
    ["fd00::/129"],
    ["fd00:::1/8"],
    ["1:2:3:4:5:6:7:8:9/64"],
    ["1::2::3/64"],
    ["[::1]/128"],
    ["fe80::1%eth0/64"],
    ["example.com/24"],
    ["10.0.0.0/8a"],
  ])("rejects %s with config_invalid naming the entry", (bad) => {
    let caught: unknown;
    try {
      parseCidrList(`192.168.0.0/16, ${bad}, fd00::/8`);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(AppError);
    const err = caught as AppError;
    expect(err.code).toBe("config_invalid");
    expect(err.message).toContain(`"${bad}"`);
    expect(err.errors?.[0].pointer).toBe(bad);
  });

  it("parseCidr returns null instead of throwing", () => {
    expect(parseCidr("nope")).toBeNull();
    expect(parseCidr("1.2.3.4/24")?.text).toBe("1.2.3.0/24");
  });
});

describe("ipInCidrs", () => {
  const cidrs = parseCidrList("10.0.0.0/8, 192.168.0.0/16, fd00::/8, 127.0.0.1/32");

  it.each([
    ["10.1.2.3", true],
    ["10.255.255.255", true],
    ["11.0.0.0", false],
    ["192.168.1.1", true],
    ["192.169.0.1", false],
    ["127.0.0.1", true],
    ["127.0.0.2", false],
    ["fd00::1", true],
    ["fdff:ffff::1", true],
    ["fe00::1", false],
    ["[fd12::1]", true],
    ["::ffff:10.1.2.3", true],
    ["::ffff:a01:203", true],
    ["[::ffff:127.0.0.1]", true],
    ["::ffff:8.8.8.8", false],
    ["::1", false],
    ["8.8.8.8", false],
    ["not-an-ip", false],
    ["", false],
  ])("%s → %s", (ip, expected) => {
    expect(ipInCidrs(ip, cidrs)).toBe(expected);
  });

  it("matches IPv4 addresses against a network written as IPv4-mapped IPv6", () => {
    expect(ipInCidrs("10.9.9.9", parseCidrList("::ffff:10.0.0.0/104"))).toBe(true);
  });

  it("ignores an IPv6 zone id", () => {
    expect(ipInCidrs("fe80::1%eth0", parseCidrList("fe80::/10"))).toBe(true);
  });

  it("matches everything with /0 of the same family only", () => {
    expect(ipInCidrs("1.2.3.4", parseCidrList("0.0.0.0/0"))).toBe(true);
    expect(ipInCidrs("2001:db8::1", parseCidrList("0.0.0.0/0"))).toBe(false);
    expect(ipInCidrs("2001:db8::1", parseCidrList("::/0"))).toBe(true);
  });

  it("matches nothing against an empty list", () => {
    expect(ipInCidrs("10.0.0.1", [])).toBe(false);
  });
});

describe("isIpLiteral", () => {
  it.each([
    ["10.0.0.1", true],
    ["::1", true],
    ["[::1]", true],
    ["2001:db8::8:800:200c:417a", true],
    ["::ffff:127.0.0.1", true],
    ["localhost", false],
    ["example.com", false],
    ["10.0.0", false],
    ["1.2.3.4.5", false],
    ["", false],
  ])("%s → %s", (host, expected) => {
    expect(isIpLiteral(host)).toBe(expected);
  });
});

describe("isPublicIp", () => {
  it.each([
    ["8.8.8.8", true],
    ["2606:4700:4700::1111", true],
    ["127.0.0.1", false],
    ["10.0.0.1", false],
    ["172.16.5.4", false],
    ["192.168.0.1", false],
    ["169.254.169.254", false],
    ["100.64.0.1", false],
    ["0.0.0.0", false],
    ["::1", false],
    ["::", false],
    ["fd00::1", false],
    ["fe80::1", false],
    ["::ffff:169.254.169.254", false],
    ["localhost", false],
  ])("%s → %s", (ip, expected) => {
    expect(isPublicIp(ip)).toBe(expected);
  });
});

describe("addresses with an IPv4 address inside (classified by that IPv4 address)", () => {
  // Pure classification: none of these addresses is connected to.
  it.each([
    ["::127.0.0.1", "IPv4-compatible", ["127.0.0.1"], "loopback"],
    ["::7f00:1", "IPv4-compatible", ["127.0.0.1"], "loopback"],
    ["::10.1.2.3", "IPv4-compatible", ["10.1.2.3"], "private"],
    ["::8.8.8.8", "IPv4-compatible", ["8.8.8.8"], "unicast"],
    ["::ffff:127.0.0.1", "IPv4-mapped", ["127.0.0.1"], "loopback"],
    ["[::ffff:7f00:1]", "IPv4-mapped", ["127.0.0.1"], "loopback"],
    ["::ffff:8.8.8.8", "IPv4-mapped", ["8.8.8.8"], "unicast"],
    ["::ffff:0:127.0.0.1", "IPv4-translated", ["127.0.0.1"], "loopback"],
    ["::ffff:0:a9fe:a9fe", "IPv4-translated", ["169.254.169.254"], "linkLocal"],
    ["::ffff:0:8.8.8.8", "IPv4-translated", ["8.8.8.8"], "unicast"],
    ["64:ff9b::127.0.0.1", "NAT64", ["127.0.0.1"], "loopback"],
    ["64:ff9b::c0a8:101", "NAT64", ["192.168.1.1"], "private"],
    ["64:ff9b::8.8.8.8", "NAT64", ["8.8.8.8"], "unicast"],
    ["2002:7f00:1::1", "6to4", ["127.0.0.1"], "loopback"],
    ["2002:6440:1::1", "6to4", ["100.64.0.1"], "carrierGradeNat"],
    ["2002:808:808::1", "6to4", ["8.8.8.8"], "unicast"],
    // Teredo: server 8.8.8.8, client 127.0.0.1 (stored inverted as 80ff:fffe).
    ["2001:0:808:808::80ff:fffe", "Teredo", ["8.8.8.8", "127.0.0.1"], "loopback"],
    ["2001:0:a00:1::f7f7:f7f7", "Teredo", ["10.0.0.1", "8.8.8.8"], "private"],
    ["2001:0:808:808::f7f7:f7f7", "Teredo", ["8.8.8.8", "8.8.8.8"], "unicast"],
  ])("%s is %s of %j: %s", (ip, form, ipv4, cls) => {
    const addr = parseAddress(ip)!;
    expect(embeddedIpv4(addr)).toMatchObject({ form, ipv4: ipv4.map((a) => expect.objectContaining({ octets: a.split(".").map(Number) })) });
    expect(addressClass(addr)).toBe(cls);
    expect(isPublicIp(ip)).toBe(cls === "unicast");
  });

  it.each([
    ["::", "unspecified"],
    ["::1", "loopback"],
    ["64:ff9b:1::a00:1", "rfc6052"],
    ["4000::1", "reserved"],
    ["2001:db8::1", "reserved"],
    ["100::1", "discard"],
    ["fec0::1", "deprecatedSiteLocal"],
    ["fd00::1", "uniqueLocal"],
    ["2606:4700:4700::1111", "unicast"],
  ])("%s embeds nothing and is %s", (ip, cls) => {
    const addr = parseAddress(ip)!;
    expect(embeddedIpv4(addr)).toBeUndefined();
    expect(addressClass(addr)).toBe(cls);
  });

  it.each(["010.0.0.1", "127.1", "0x7f.0.0.1", "2130706433", "::0x7f.0.0.1", "::ffff:010.0.0.1", "::1.2.3", "1.2.3.4.5", "example.com", ""])(
    "%s is not an address (ambiguous or malformed)",
    (text) => {
      expect(parseAddress(text)).toBeNull();
      expect(isIpLiteral(text)).toBe(false);
    },
  );

  it("keeps ::a.b.c.d (IPv4-compatible) apart from ::ffff:a.b.c.d (IPv4-mapped)", () => {
    expect(parseAddress("::10.0.0.1")!.toString()).toBe("::a00:1");
    expect(ipInCidrs("::10.0.0.1", parseCidrList("10.0.0.0/8"))).toBe(false);
    expect(ipInCidrs("::ffff:10.0.0.1", parseCidrList("10.0.0.0/8"))).toBe(true);
  });
});
