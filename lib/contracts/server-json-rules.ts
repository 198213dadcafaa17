import type { FieldError } from "@/lib/errors";
import { jsonPointer } from "./json-pointer";
import { PUBLISHER_PROVIDED_KEY, type ServerJson } from "./server-json-schema";

/**
 * The official registry's publish-time checks that go beyond the JSON schema
 * (internal/validators and official-registry-requirements.md upstream), as pure functions.
 */

const SCHEMA_DATES = ["2025-07-09", "2025-09-16", "2025-09-29", "2025-10-11", "2025-10-17", "2025-12-11"] as const;

export const schemaUrlFor = (date: string) => `https://static.modelcontextprotocol.io/schemas/${date}/server.schema.json`;

/** Every `$schema` value the official registry accepts, oldest first. */
export const KNOWN_SCHEMA_URLS: readonly string[] = SCHEMA_DATES.map(schemaUrlFor);

/** The `$schema` of the current released server.json format. */
export const CURRENT_SCHEMA_URL = schemaUrlFor(SCHEMA_DATES[SCHEMA_DATES.length - 1]);

/** Max serialized size of `_meta["io.modelcontextprotocol.registry/publisher-provided"]`. */
export const PUBLISHER_META_MAX_BYTES = 4096;

/** The official registry's name check: each side starts and ends alphanumeric, exactly one slash. */
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9.-]*[a-zA-Z0-9]\/[a-zA-Z0-9][a-zA-Z0-9._-]*[a-zA-Z0-9]$/;
const DNS_LABEL = /^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/;

export function nameProblem(name: string): string | null {
  const [namespace, rest, ...extra] = name.split("/");
  if (rest === undefined || extra.length) return "must contain exactly one '/' between the namespace and the server name";
  const labels = namespace.split(".");
  if (labels.length < 2 || !labels.every((l) => DNS_LABEL.test(l))) {
    return `namespace "${namespace}" must be reverse DNS, e.g. com.example or io.github.user`;
  }
  if (!NAME.test(name)) return "the server name after '/' must start and end with a letter or digit";
  return null;
}

/** A version that names a range or wildcard rather than one release, e.g. ^1.2.3, >=1, 1.x, 1.2.*, 1 - 2, 1 || 2. */
export function looksLikeVersionRange(version: string): boolean {
  const v = version.trim();
  if (/^[\^~<>=]/.test(v)) return true;
  if (v.includes("||") || /\s-\s/.test(v)) return true;
  if (v.includes("*")) return true;
  // Wildcard parts live in the release core (before any prerelease "-" or build "+").
  const core = v.replace(/^v/i, "").split(/[-+]/)[0];
  return core.split(".").some((part) => part === "x" || part === "X");
}

export function versionProblem(version: string): string | null {
  if (version === "") return "must not be empty";
  if (version === "latest") return '"latest" is reserved; publish a specific version';
  if (looksLikeVersionRange(version)) return `"${version}" looks like a version range; publish a specific version (e.g. 1.2.3)`;
  return null;
}

/** A clean relative path: no leading '/', no '..' or '.' segments, no empty segments, no backslashes. */
export function subfolderProblem(subfolder: string): string | null {
  if (subfolder.startsWith("/") || subfolder.includes("\\")) return "must be a relative path using '/' separators";
  const segments = subfolder.split("/");
  if (segments.some((s) => s === "" || s === "." || s === "..")) return "must be a clean relative path (no empty, '.' or '..' segments)";
  return null;
}

const utf8Length = (s: string) => new TextEncoder().encode(s).length;

/**
 * UTF-8 length of JSON.stringify(value), computed iteratively and stopping once past `limit` (the result
 * is then some number > limit), so a hostile, deeply nested value can neither overflow the stack nor cost more.
 */
export function jsonByteLength(value: unknown, limit: number): number {
  let total = 0;
  const stack: unknown[] = [value];
  while (stack.length && total <= limit) {
    const v = stack.pop();
    if (Array.isArray(v)) {
      total += 2 + Math.max(v.length - 1, 0);
      for (let i = v.length - 1; i >= 0; i--) stack.push(v[i] === undefined ? null : v[i]);
    } else if (v !== null && typeof v === "object") {
      const entries = Object.entries(v).filter(([, x]) => x !== undefined);
      total += 2 + Math.max(entries.length - 1, 0);
      for (const [k, x] of entries) {
        total += utf8Length(JSON.stringify(k)) + 1;
        stack.push(x);
      }
    } else {
      total += utf8Length(JSON.stringify(v) ?? "null");
    }
  }
  return total;
}

const isHttps = (s: string) => {
  try {
    return new URL(s).protocol === "https:";
  } catch {
    return false;
  }
};

export interface RuleResult {
  errors: FieldError[];
  warnings: string[];
}

/** Name, versions, `$schema`, title, repository subfolder, MCPB hash, https-only links. */
export function checkServerRules(s: ServerJson): RuleResult {
  const errors: FieldError[] = [];
  const warnings: string[] = [];
  const err = (path: PropertyKey[], message: string) => errors.push({ pointer: jsonPointer(path), message });

  const name = nameProblem(s.name);
  if (name) err(["name"], name);

  const version = versionProblem(s.version);
  if (version) err(["version"], version);

  if (s.$schema !== undefined) {
    if (!KNOWN_SCHEMA_URLS.includes(s.$schema)) {
      err(["$schema"], `unknown schema; use ${CURRENT_SCHEMA_URL} (known: ${SCHEMA_DATES.join(", ")})`);
    } else if (s.$schema !== CURRENT_SCHEMA_URL) {
      warnings.push(`$schema ${s.$schema} is not the current schema; consider ${CURRENT_SCHEMA_URL}`);
    }
  }

  if (s.title !== undefined && s.title.trim() === "") err(["title"], "must not be blank");
  if (s.repository?.subfolder !== undefined) {
    const sub = subfolderProblem(s.repository.subfolder);
    if (sub) err(["repository", "subfolder"], sub);
  }
  if (s.websiteUrl !== undefined && !isHttps(s.websiteUrl)) err(["websiteUrl"], "must be an https URL");
  s.icons?.forEach((icon, i) => {
    if (!isHttps(icon.src)) err(["icons", i, "src"], "must be an https URL");
  });

  s.packages?.forEach((pkg, i) => {
    if (pkg.version !== undefined) {
      const problem = versionProblem(pkg.version);
      if (problem) err(["packages", i, "version"], problem);
    }
    if (pkg.registryType === "mcpb" && pkg.fileSha256 === undefined) {
      err(["packages", i, "fileSha256"], "is required for mcpb packages");
    }
  });

  return { errors, warnings };
}

/**
 * Keeps only `_meta["io.modelcontextprotocol.registry/publisher-provided"]` (≤ 4 KB serialized); other
 * `_meta` keys are registry-owned or unknown and are dropped with a warning, as the official registry does.
 */
export function keepPublisherMeta(s: ServerJson): { value: ServerJson; errors: FieldError[]; warnings: string[] } {
  if (s._meta === undefined) return { value: s, errors: [], warnings: [] };
  const { _meta: meta, ...rest } = s;
  const warnings = Object.keys(meta)
    .filter((k) => k !== PUBLISHER_PROVIDED_KEY)
    .map((k) => `_meta key "${k}" was dropped: only "${PUBLISHER_PROVIDED_KEY}" is kept`);
  const provided = meta[PUBLISHER_PROVIDED_KEY];
  if (provided === undefined) return { value: rest, errors: [], warnings };
  const bytes = jsonByteLength(provided, PUBLISHER_META_MAX_BYTES);
  const errors: FieldError[] =
    bytes > PUBLISHER_META_MAX_BYTES
      ? [{ pointer: jsonPointer(["_meta", PUBLISHER_PROVIDED_KEY]), message: `must be at most ${PUBLISHER_META_MAX_BYTES} bytes when serialized (got ${bytes})` }]
      : [];
  return { value: { ...rest, _meta: { [PUBLISHER_PROVIDED_KEY]: provided } }, errors, warnings };
}
