import { parseArgs, type ParseArgsConfig } from "node:util";
import { AppError, reasonOf } from "@/lib/errors";
import { COMMANDS, UsageError, type Command } from "./commands";

export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.usage.length));
  return [
    "Usage: toolshed <command> [options]",
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`),
    "",
    "Configuration comes from the environment (see README). Exit codes: 0 ok, 1 failure, 2 usage error.",
  ].join("\n");
}

function findCommand(argv: string[]): { command: Command; rest: string[] } | undefined {
  for (const c of COMMANDS) {
    const words = c.name.split(" ");
    if (words.every((w, i) => argv[i] === w)) return { command: c, rest: argv.slice(words.length) };
  }
  return undefined;
}

/** Runs the CLI and returns the exit code; every outcome prints one line that says why. */
export async function main(argv: string[]): Promise<number> {
  if (!argv.length || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
    process.stdout.write(help() + "\n");
    return argv.length ? EXIT.ok : EXIT.usage;
  }
  const found = findCommand(argv);
  if (!found) {
    process.stderr.write(`toolshed: unknown command "${argv.join(" ")}"; run toolshed --help\n`);
    return EXIT.usage;
  }
  const { command, rest } = found;
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    const config: ParseArgsConfig = { args: rest, options: { ...command.options, help: { type: "boolean", short: "h" } }, strict: true, allowPositionals: Boolean(command.positionals) };
    const parsed = parseArgs(config);
    values = parsed.values as typeof values;
    positionals = parsed.positionals;
  } catch (e) {
    process.stderr.write(`toolshed ${command.name}: ${reasonOf(e)}; usage: toolshed ${command.usage}\n`);
    return EXIT.usage;
  }
  if (values.help) {
    process.stdout.write(`Usage: toolshed ${command.usage}\n${command.summary}\n`);
    return EXIT.ok;
  }
  try {
    return (await command.run(values, positionals)) ?? EXIT.ok;
  } catch (e) {
    const usage = e instanceof UsageError || (e instanceof AppError && (e.code === "validation_failed" || e.code === "bad_request"));
    process.stderr.write(`toolshed ${command.name}: ${reasonOf(e)}\n`);
    return usage ? EXIT.usage : EXIT.failure;
  }
}
