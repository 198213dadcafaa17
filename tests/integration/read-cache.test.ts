import { beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/lib/auth/principal";
import { createUser } from "@/lib/auth/users";
import { registryGeneration } from "@/lib/registry/read-cache";
import { changeVersionStatus, publish } from "@/lib/registry/service";

const serverJson = {
  $schema: "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",
  name: "io.github.acme/cache-check",
  description: "Checks that registry writes invalidate cached reads",
  version: "1.0.0",
};

let admin: Principal;

beforeAll(async () => {
  const user = await createUser("cli", { email: "cache-admin@example.com", password: "long-enough-1", role: "admin" });
  admin = { kind: "user", userId: user.id, email: user.email, role: "ADMIN" };
});

describe("cached registry reads follow writes", () => {
  it("a publish and a status change each invalidate cached answers; a refused re-publish does not", async () => {
    const start = registryGeneration();
    await publish(admin, serverJson);
    expect(registryGeneration()).toBe(start + 1);
    await expect(publish(admin, serverJson)).rejects.toMatchObject({ status: 409 });
    expect(registryGeneration()).toBe(start + 1);
    await changeVersionStatus(admin, serverJson.name, "1.0.0", { status: "deprecated", statusMessage: "use 2.x" });
    expect(registryGeneration()).toBe(start + 2);
  });
});
