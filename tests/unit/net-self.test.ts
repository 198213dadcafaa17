import os from "node:os";
import { describe, expect, it } from "vitest";
import { isOwnAddress, noteOwnPort, ownEndpointReason, ownPorts, ownUrlReason } from "@/lib/net/self";

// Pure classification and injected resolvers: nothing here connects anywhere.

describe("isOwnAddress", () => {
  const interfaces = Object.values(os.networkInterfaces()).flatMap((l) => l ?? []).map((i) => i.address);

  it.each(["127.0.0.1", "127.0.0.2", "127.255.255.254", "::1", "[::1]", "::ffff:127.0.0.1", "[::ffff:7f00:1]", "::ffff:0:127.0.0.1", "0.0.0.0", "::"])("%s is this machine", (ip) => {
    expect(isOwnAddress(ip)).toBe(true);
  });

  it("counts every interface address of this machine", () => {
    expect(interfaces.length).toBeGreaterThan(0);
    for (const ip of interfaces) expect(isOwnAddress(ip), ip).toBe(true);
  });

  it.each(["192.0.2.1", "2001:db8::1", "8.8.8.8", "localhost", "not an address"])("%s is not", (ip) => {
    expect(isOwnAddress(ip)).toBe(false);
  });
});

describe("ownEndpointReason", () => {
  it("is Toolshed only on a port Toolshed listens on", () => {
    expect(ownEndpointReason("127.0.0.2", 3000, 3000)).toBe("this machine's own address on Toolshed's own port 3000 (the gateway would call itself)");
    expect(ownEndpointReason("::ffff:127.0.0.1", 3000, 3000)).toMatch(/own port 3000/);
    expect(ownEndpointReason("127.0.0.2", 3001, 3000)).toBeUndefined();
    expect(ownEndpointReason("192.0.2.1", 3000, 3000)).toBeUndefined();
  });

  it("knows the ports requests arrived on besides the configured one", () => {
    expect(ownEndpointReason("127.0.0.1", 47_111, 3000)).toBeUndefined();
    noteOwnPort(47_111);
    expect(ownPorts(3000)).toEqual(new Set([3000, 47_111]));
    expect(ownEndpointReason("127.0.0.1", 47_111, 3000)).toMatch(/own port 47111/);
  });
});

describe("ownUrlReason", () => {
  const resolvesTo = (addresses: string[]) => async () => addresses;

  it("resolves a name and refuses it when any address is this machine on Toolshed's port", async () => {
    expect(await ownUrlReason(new URL("http://gateway.internal:8080/mcp"), 8080, resolvesTo(["192.0.2.7", "127.0.0.1"]))).toBe("gateway.internal (127.0.0.1) is this machine's own address on Toolshed's own port 8080 (the gateway would call itself)");
    expect(await ownUrlReason(new URL("http://gateway.internal:8080/mcp"), 8080, resolvesTo(["192.0.2.7"]))).toBeUndefined();
    expect(await ownUrlReason(new URL("http://gateway.internal:8081/mcp"), 8080, resolvesTo(["127.0.0.1"]))).toBeUndefined();
  });

  it("takes the scheme's default port and reads IP literals without resolving", async () => {
    const never = async () => {
      throw new Error("must not resolve");
    };
    expect(await ownUrlReason(new URL("https://[::ffff:127.0.0.1]/mcp"), 443, never)).toMatch(/^::ffff:7f00:1 is this machine's own address on Toolshed's own port 443/);
    expect(await ownUrlReason(new URL("http://127.0.0.2/mcp"), 80, never)).toMatch(/^127\.0\.0\.2 is .* own port 80 /);
    expect(await ownUrlReason(new URL("http://127.0.0.2/mcp"), 443, never)).toBeUndefined();
  });
});
