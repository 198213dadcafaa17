import type { ParseArgsConfig } from "node:util";
import { createToken } from "@/lib/auth/tokens";
import { parseScopes } from "@/lib/auth/scopes";
import { createUser, createUserInput, userIdByEmail, type CreateUserInput } from "@/lib/auth/users";
import { disconnectDb } from "@/lib/db/client";
import { migrate } from "@/lib/db/migrate";
import { applyRuntimeEnv, openDatabase } from "@/lib/runtime/database";
import { stopOnSignals } from "@/lib/runtime/graceful";
import { startToolshed } from "@/lib/runtime/server";
import { AppError, validate } from "@/lib/errors";
import { importFrom, resolveSource } from "@/lib/registry/import";
import { parseSince } from "@/lib/registry/import-parse";
import { PROBE_COMMANDS } from "./probe-commands";
import { SEARCH_COMMANDS } from "./search-commands";
import { progressBar } from "./progress";
import { flushSearchIndex } from "@/lib/search/freshness";

/** A command-line mistake: printed with exit code 2. */
export class UsageError extends Error {}

type Values = Record<string, string | boolean | undefined>;

export interface Command {
  name: string;
  usage: string;
  summary: string;
  options: NonNullable<ParseArgsConfig["options"]>;
  /** Whether the command takes plain arguments besides its options. */
  positionals?: boolean;
  run(values: Values, positionals: string[]): Promise<number | void>;
}

const print = (line: string) => process.stdout.write(line + "\n");

function required(values: Values, name: string): string {
  const v = values[name];
  if (typeof v !== "string" || !v.trim()) throw new UsageError(`--${name} is required`);
  return v.trim();
}

/** Opens the database the way the app does, makes sure the schema is current, runs `fn`, and cleans up. */
export async function withDatabase<T>(fn: () => Promise<T>): Promise<T> {
  applyRuntimeEnv();
  const database = await openDatabase();
  try {
    await migrate(database.url);
    const result = await fn();
    await flushSearchIndex(); // what the command wrote is searchable before the database closes
    return result;
  } finally {
    await disconnectDb();
    await database.close();
  }
}

export const COMMANDS: Command[] = [
  {
    name: "start",
    usage: "start [--dev]",
    summary: "Start Toolshed (embedded Postgres unless DATABASE_URL is set) and print its URL",
    options: { dev: { type: "boolean" } },
    async run(values) {
      const server = await startToolshed({ dev: Boolean(values.dev) });
      let stopping: Promise<void> | undefined;
      // The web server drains and writes its usage events, the worker finishes, Postgres stops last.
      const shutdown = () => {
        if (stopping) return;
        print("Stopping…");
        stopping = server.stop();
      };
      process.on("SIGINT", shutdown);
      process.on("SIGTERM", shutdown);
      const code = await server.done;
      if (stopping) return void (await stopping); // the web server exited because it was told to
      await server.stop();
      if (code !== 0) throw new AppError("internal", `The web server exited with code ${code}`);
    },
  },
  {
    name: "web",
    usage: "web [--dev]",
    summary: "Run only the web server on an already migrated database (start runs it for you)",
    options: { dev: { type: "boolean" } },
    async run(values) {
      const e = applyRuntimeEnv();
      const database = e.DATABASE_URL ? undefined : await openDatabase();
      // Loaded on demand: Next's runtime must be set up before anything else of Next is imported.
      const { runWebServer } = await import("@/lib/runtime/web-server");
      const { stopped } = await runWebServer({ port: e.PORT, host: e.TOOLSHED_HOST, dev: Boolean(values.dev), cacheMs: e.TOOLSHED_REGISTRY_CACHE_MS });
      print(`Web server listening on ${e.TOOLSHED_HOST}:${e.PORT}`);
      await stopped; // serve until a signal stops the process
      await disconnectDb();
      await database?.close();
    },
  },
  {
    name: "gateway",
    usage: "gateway",
    summary: "Run only the gateway (/gateway/…, metadata, /metrics) on an already migrated database, for gateway replicas",
    options: {},
    async run() {
      const e = applyRuntimeEnv();
      const database = e.DATABASE_URL ? undefined : await openDatabase();
      const { runGatewayServer } = await import("@/lib/gateway/server");
      const { server, gateway } = await runGatewayServer({ port: e.PORT, host: e.TOOLSHED_HOST });
      print(`Gateway listening on ${e.TOOLSHED_HOST}:${e.PORT}`);
      await stopOnSignals(server, () => gateway.close()); // serve until a signal stops the process, then write what is queued
      await disconnectDb();
      await database?.close(); // a cluster this process started itself stops last
    },
  },
  {
    name: "migrate",
    usage: "migrate",
    summary: "Apply pending database migrations",
    options: {},
    async run() {
      applyRuntimeEnv();
      const database = await openDatabase();
      try {
        const r = await migrate(database.url);
        print(r.applied.length ? `Applied ${r.applied.join(", ")}` : `Database is up to date (${r.alreadyApplied} migrations)`);
      } finally {
        await database.close();
      }
    },
  },
  {
    name: "import",
    usage: "import <file-or-url> [--since T]",
    summary: "Import server.json entries from a JSONL or JSON file, or sync an MCP registry by its base URL",
    options: { since: { type: "string" } },
    positionals: true,
    async run(values, args) {
      if (args.length !== 1 || !args[0].trim()) throw new UsageError(args.length ? "give exactly one file or URL" : "a file or registry URL is required");
      const since = typeof values.since === "string" ? parseSince(values.since) : undefined;
      await resolveSource(args[0]); // a missing file or bad URL fails before any database is opened
      const bar = progressBar();
      const r = await withDatabase(() => importFrom(args[0], { actor: "cli", since, onProgress: (p) => bar.update(p.done, p.total) })).finally(() => bar.clear());
      for (const f of r.failures) process.stderr.write(`${f.label}: ${f.reason}\n`);
      const status = r.statusUpdated ? ` (${r.statusUpdated} status change${r.statusUpdated === 1 ? "" : "s"} applied)` : "";
      print(`Imported ${r.created} new, ${r.unchanged} unchanged, ${r.failed} failed from ${r.source}${status}`);
      return r.failed ? 1 : 0;
    },
  },
  {
    name: "user create",
    usage: "user create --email E --password P [--role admin|member] [--name N]",
    summary: "Create a local account",
    options: { email: { type: "string" }, password: { type: "string" }, role: { type: "string" }, name: { type: "string" } },
    async run(values) {
      const input: CreateUserInput = { email: required(values, "email"), password: required(values, "password"), role: ((values.role as string) ?? "member") as CreateUserInput["role"], name: values.name as string | undefined };
      validate(createUserInput, input); // usage errors exit 2 before any database is opened or started
      const user = await withDatabase(() => createUser("cli", input));
      print(`Created ${user.role === "ADMIN" ? "admin" : "member"} ${user.email}`);
    },
  },
  {
    name: "token create",
    usage: "token create --email E --scopes S[,S] [--name N] [--expires-in-days D]",
    summary: "Create an API token for a user and print it once",
    options: { email: { type: "string" }, scopes: { type: "string" }, name: { type: "string" }, "expires-in-days": { type: "string" } },
    async run(values) {
      const email = required(values, "email");
      const scopes = parseScopes(required(values, "scopes"));
      const days = values["expires-in-days"] === undefined ? undefined : Number(values["expires-in-days"]);
      if (days !== undefined && (!Number.isInteger(days) || days < 1)) throw new UsageError("--expires-in-days must be a whole number of days ≥ 1");
      const { token } = await withDatabase(async () => {
        const userId = await userIdByEmail(email);
        if (!userId) throw new AppError("not_found", `No user with email ${email}`);
        return createToken("cli", userId, { name: (values.name as string) ?? "cli", scopes, expiresInDays: days });
      });
      print(token);
    },
  },
  ...PROBE_COMMANDS,
  ...SEARCH_COMMANDS,
];
