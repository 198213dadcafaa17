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
