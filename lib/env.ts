import { z } from "zod";
import { AppError } from "./errors";
import { parseCidrList } from "./net/cidr";

/** Empty strings count as unset, so `FOO=` in a .env file means "use the default". */
const opt = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), schema.optional());

const bool = (def: boolean) =>
  z.preprocess(
    (v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
    z
      .enum(["true", "false", "1", "0", "yes", "no", "on", "off"], { message: "expected true or false" })
      .optional()
      .transform((v) => (v === undefined ? def : ["true", "1", "yes", "on"].includes(v))),
  );

const list = z
  .string()
  .transform((s) => s.split(",").map((x) => x.trim()).filter(Boolean));

const int = (min: number, max: number) =>
  z.coerce.number({ message: `expected a whole number from ${min} to ${max}` }).int(`expected a whole number from ${min} to ${max}`).min(min, `expected a whole number from ${min} to ${max}`).max(max, `expected a whole number from ${min} to ${max}`);

const cidrList = z.string().transform((s, ctx) => {
  try {
    return parseCidrList(s);
  } catch (e) {
    ctx.addIssue({ code: "custom", message: `expected a comma list of CIDRs: ${(e as Error).message}` });
    return z.NEVER;
  }
});

const postgresUrl = z
  .string()
  .refine((s) => /^postgres(ql)?:\/\/.+/.test(s), { message: "expected a postgres:// or postgresql:// URL" });

const schema = z
  .object({
    DATABASE_URL: opt(postgresUrl),
    TOOLSHED_DATA_DIR: opt(z.string()).default(".toolshed"),
    PORT: opt(z.coerce.number({ message: "expected a port number" }).int().min(1, "expected 1-65535").max(65535, "expected 1-65535")).default(3000),
    TOOLSHED_HOST: opt(z.string()).default("0.0.0.0"),
    TOOLSHED_URL: opt(z.url({ protocol: /^https?$/, message: "expected an absolute http(s) URL" })),
    NEXTAUTH_SECRET: opt(z.string().min(32, { message: "expected at least 32 characters" })),
    TOOLSHED_ENCRYPTION_KEY: opt(
      z.string().refine((s) => Buffer.from(s, "base64").length === 32, {
        message: "expected 32 bytes encoded as base64 (openssl rand -base64 32)",
      }),
    ),
    TOOLSHED_ADMIN_EMAIL: opt(z.email({ message: "expected an email address" })),
    TOOLSHED_ADMIN_PASSWORD: opt(z.string().min(8, { message: "expected at least 8 characters" })),
    TOOLSHED_LOCAL_LOGIN: bool(true),
    OIDC_ISSUER: opt(z.url({ protocol: /^https?$/, message: "expected the issuer URL" })),
    OIDC_CLIENT_ID: opt(z.string()),
    OIDC_CLIENT_SECRET: opt(z.string()),
    OIDC_NAME: opt(z.string()).default("Single sign-on"),
    OIDC_GROUPS_CLAIM: opt(z.string()).default("groups"),
    OIDC_ADMIN_GROUPS: opt(list).default([]),
    GITHUB_ID: opt(z.string()),
    GITHUB_SECRET: opt(z.string()),
    TOOLSHED_ANONYMOUS_READ: bool(true),
    TOOLSHED_SERVE_UNAPPROVED: bool(false),
    TOOLSHED_REVIEWERS_TEAM: opt(z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "expected a team slug")).default("reviewers"),
    TOOLSHED_ALLOWED_NETWORKS: opt(cidrList).default([]),
    TOOLSHED_OUTBOUND_PUBLIC: bool(true),
    LOG_LEVEL: opt(z.enum(["debug", "info", "warn", "error", "silent"])).default("info"),
    TOOLSHED_WORKER: bool(true),
    TOOLSHED_REGISTRY_CACHE_MS: opt(z.coerce.number({ message: "expected milliseconds" }).int().min(0, "expected 0 or more").max(60_000, "at most 60000")).default(1000),
    TOOLSHED_PROBE_INTERVAL_SEC: opt(int(60, 7 * 86_400)).default(900),
    TOOLSHED_PROBE_CONCURRENCY: opt(int(1, 256)).default(8),
    TOOLSHED_PROBE_TIMEOUT_MS: opt(int(500, 120_000)).default(10_000),
    TOOLSHED_PROBE_RATE: opt(int(1, 10_000)).default(50),
    TOOLSHED_PROBE_RETENTION_DAYS: opt(int(1, 3650)).default(30),
    REDIS_URL: opt(z.url({ protocol: /^rediss?$/, message: "expected a redis:// or rediss:// URL" })),
    TOOLSHED_GATEWAY_ORIGINS: opt(list).default([]),
    TOOLSHED_TRUSTED_PROXIES: opt(cidrList).default([]),
    TOOLSHED_GATEWAY_KEEPALIVE_SEC: opt(int(1, 300)).default(15),
    TOOLSHED_METRICS_TOKEN: opt(z.string().min(16, { message: "expected at least 16 characters" })),
    MEILI_URL: opt(z.url({ protocol: /^https?$/, message: "expected the Meilisearch server URL, e.g. http://127.0.0.1:7700" })),
    MEILI_MASTER_KEY: opt(z.string()),
    MEILI_INDEX_PREFIX: opt(z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, "expected letters, digits, - or _")).default("toolshed"),
  })
  .superRefine((e, ctx) => {
    const pair = (a: keyof typeof e, b: keyof typeof e) => {
      if (Boolean(e[a]) !== Boolean(e[b]))
        ctx.addIssue({ code: "custom", path: [e[a] ? b : a], message: `must be set together with ${e[a] ? a : b}` });
    };
    pair("TOOLSHED_ADMIN_EMAIL", "TOOLSHED_ADMIN_PASSWORD");
    pair("GITHUB_ID", "GITHUB_SECRET");
    pair("OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET");
    pair("OIDC_ISSUER", "OIDC_CLIENT_ID");
    // Run even when a field already failed, so one start-up reports every mistake at once.
  }, { when: (p) => typeof p.value === "object" && p.value !== null });

export type Env = z.infer<typeof schema> & { publicUrl: string };

/** Parses an environment; throws AppError naming every bad variable and what it expects. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const r = schema.safeParse(source);
  if (!r.success) {
    const errors = r.error.issues.map((i) => ({ pointer: String(i.path[0] ?? "env"), message: i.message }));
    const text = errors.map((x) => `${x.pointer}: ${x.message}`).join("; ");
    throw new AppError("config_invalid", `Invalid configuration: ${text}`, { errors });
  }
  const publicUrl = (r.data.TOOLSHED_URL ?? `http://localhost:${r.data.PORT}`).replace(/\/+$/, "");
  return { ...r.data, publicUrl };
}

let cached: Env | undefined;

/** The configuration of this process, parsed once. */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** For tests that change process.env between cases. */
export function resetEnvCache() {
  cached = undefined;
}
