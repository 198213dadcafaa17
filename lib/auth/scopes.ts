import { AppError } from "../errors";

export const SCOPES = ["registry:read", "registry:publish", "registry:admin", "gateway:invoke"] as const;
export type Scope = (typeof SCOPES)[number];

export function isScope(s: string): s is Scope {
  return (SCOPES as readonly string[]).includes(s);
}

/** "registry:read, gateway:invoke" → scopes; unknown or missing ones are a usage error naming them. */
export function parseScopes(input: string | readonly string[]): Scope[] {
  const parts = (typeof input === "string" ? input.split(",") : [...input]).map((s) => s.trim()).filter(Boolean);
  const unknown = parts.filter((s) => !isScope(s));
  if (unknown.length)
    throw new AppError("validation_failed", `Unknown scope ${unknown.map((s) => `"${s}"`).join(", ")}; valid scopes: ${SCOPES.join(", ")}`, {
      errors: [{ pointer: "scopes", message: `unknown: ${unknown.join(", ")}` }],
    });
  if (!parts.length)
    throw new AppError("validation_failed", `At least one scope is required: ${SCOPES.join(", ")}`, {
      errors: [{ pointer: "scopes", message: "required" }],
    });
  return [...new Set(parts)] as Scope[];
}

/** registry:admin implies the other registry scopes; gateway:invoke stands alone. */
export function hasScope(granted: readonly string[], needed: Scope): boolean {
  if (granted.includes(needed)) return true;
  return needed.startsWith("registry:") && granted.includes("registry:admin");
}
