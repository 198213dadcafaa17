import { describe, expect, it } from "vitest";
import { decideManageServer, type Manager } from "@/lib/access/server-management";

const member = (role: "OWNER" | "MAINTAINER" | "VIEWER", teamId = "acme"): Manager => ({ role: "MEMBER", memberships: [{ teamId, role }] });

describe("who may manage a server (probe credentials, probe now)", () => {
  it.each<[string, Manager, string | null, boolean]>([
    ["org admin, owned server", { role: "ADMIN", memberships: [] }, "acme", true],
    ["org admin, unowned server", { role: "ADMIN", memberships: [] }, null, true],
    ["owner of the owning team", member("OWNER"), "acme", true],
    ["maintainer of the owning team", member("MAINTAINER"), "acme", true],
    ["viewer of the owning team", member("VIEWER"), "acme", false],
    ["maintainer of another team", member("MAINTAINER", "beta"), "acme", false],
    ["member, unowned server", member("OWNER"), null, false],
    ["no teams", { role: "MEMBER", memberships: [] }, "acme", false],
  ])("%s → %s", (_label, user, ownerTeamId, allowed) => {
    const d = decideManageServer(user, "io.github.acme/weather", ownerTeamId);
    expect(d.allowed).toBe(allowed);
    if (!d.allowed) expect(d.reason).toMatch(/io\.github\.acme\/weather/);
  });
});
