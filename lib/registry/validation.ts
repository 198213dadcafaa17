import { lookup } from "node:dns/promises";
import { validateServerJson, type ServerJson, type ServerJsonValidation } from "../contracts/server-json";
import { env } from "../env";
import { AppError } from "../errors";

async function resolveHost(host: string): Promise<string[]> {
  try {
    return (await lookup(host, { all: true })).map((a) => a.address);
  } catch {
    return [];
  }
}

/** The official server.json rules plus Toolshed's network allowance for internal remotes (publish and import). */
export async function checkServerJson(body: unknown): Promise<ServerJsonValidation> {
  const allowedNetworks = env().TOOLSHED_ALLOWED_NETWORKS;
  return validateServerJson(body, { allowedNetworks, resolveHost: allowedNetworks.length ? resolveHost : undefined });
}

/** server.json as published here, or AppError("validation_failed") naming every bad field. */
export async function validateForPublish(body: unknown): Promise<ServerJson> {
  const r = await checkServerJson(body);
  if (!r.ok) {
    const text = r.errors.slice(0, 5).map((e) => `${e.pointer || "/"}: ${e.message}`).join("; ");
    throw new AppError("validation_failed", `Invalid server.json: ${text}${r.errors.length > 5 ? ` (and ${r.errors.length - 5} more)` : ""}`, { errors: r.errors });
  }
  return r.value;
}
