import { randomBytes } from "node:crypto";
import type { Principal } from "@/lib/auth/principal";
import { createUser } from "@/lib/auth/users";
import { db } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import { publish } from "@/lib/registry/service";

const SCHEMA = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json";

/** Test servers listen on loopback: let publishing and probing reach it, and give secrets a key. */
export function allowLoopbackAndKey() {
  process.env.TOOLSHED_ALLOWED_NETWORKS = "127.0.0.0/8";
  process.env.TOOLSHED_ENCRYPTION_KEY ??= randomBytes(32).toString("base64");
  resetEnvCache();
}

export async function adminPrincipal(email = `admin-${randomBytes(3).toString("hex")}@example.com`): Promise<Principal & { kind: "user" }> {
  const u = await createUser("cli", { email, password: "correct horse battery", role: "admin" });
  return { kind: "user", userId: u.id, email: u.email, role: "ADMIN" };
}

/** Publishes `name` with one remote (and `more`); the registry approves what is published here (reviewState APPROVED). */
export async function publishRemote(
  p: Principal,
  name: string,
  url: string,
  extra: { version?: string; transport?: "streamable-http" | "sse"; remote?: Record<string, unknown>; more?: { type: string; url: string }[] } = {},
) {
  return publish(p, {
    $schema: SCHEMA,
    name,
    description: `Test server ${name}`,
    version: extra.version ?? "1.0.0",
    remotes: [{ type: extra.transport ?? "streamable-http", url, ...extra.remote }, ...(extra.more ?? [])],
  });
}

export const serverRow = (name: string) => db().server.findUniqueOrThrow({ where: { name } });
export const countRows = async () => ({
  probes: await db().probe.count(),
  definitions: await db().toolDefinition.count(),
  toolSets: await db().toolSet.count(),
  drift: await db().driftEvent.count(),
});
