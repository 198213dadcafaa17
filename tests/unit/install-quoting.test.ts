import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { installOptions, type InstallableServer } from "@/lib/ui/install";

/**
 * The copyable package command line, read back by a real POSIX shell (/bin/sh): every word must come
 * back exactly as written, in order, and nothing may be expanded or run. The shell splits the line
 * with `eval set --`, so an unquoted `;`, `$(…)` or backquote would run (and print a marker) here.
 */
function wordsOf(line: string): string[] {
  const out = execFileSync("/bin/sh", ["-c", 'eval "set -- $1" && for w in "$@"; do printf "%s\\0" "$w"; done', "sh", line], { encoding: "utf8" });
  return out.split("\0").slice(0, -1);
}

/** The environment assignments the shell would make before running the command. */
function assignmentsOf(line: string): Record<string, string> {
  // `env` prints the environment the command would get; the line's own command is replaced by it.
  const out = execFileSync("/bin/sh", ["-c", `${line.replace(/ (npx|uvx|dnx)\b.*$/, "")} env -0`], { encoding: "utf8", env: { ...process.env, GREETING: undefined, EMPTY: undefined } });
  return Object.fromEntries(out.split("\0").filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
}

const HOSTILE = ["$(printf INJECTED)", "`printf INJECTED`", "a; printf INJECTED", "it's", 'say "hi"', "two  spaces", "tab\there", "~root", "*", "", "a|b&c>d<e"];

const server = (pkg: Record<string, unknown>): InstallableServer => ({ name: "com.example/quoting", packages: [{ registryType: "npm", identifier: "@example/q", version: "1.0.0", transport: { type: "stdio" }, ...pkg }] });

const lineOf = (s: InstallableServer) => {
  const [opt] = installOptions(s);
  if (!opt.commandLine) throw new Error("no command line");
  return opt;
};

describe("package command lines are shell-safe", () => {
  it("a hostile runtimeHint stays one command word", () => {
    for (const hint of ["npx; printf INJECTED", "$(printf INJECTED)", "X=1", "bun x"]) {
      const opt = lineOf(server({ runtimeHint: hint }));
      if (opt.config.type !== "stdio") throw new Error("expected stdio");
      expect(wordsOf(opt.commandLine!), hint).toEqual([hint, ...opt.config.args]);
      expect(opt.claudeCommand).toContain(` -- '${hint}' `);
    }
  });

  it("hostile arguments, identifiers and values come back word for word", () => {
    const opt = lineOf(
      server({
        identifier: "@example/q$(printf INJECTED)",
        packageArguments: HOSTILE.map((value) => ({ type: "positional", value })),
        runtimeArguments: [{ type: "named", name: "--flag;printf INJECTED", value: "x y" }],
      }),
    );
    if (opt.config.type !== "stdio") throw new Error("expected stdio");
    expect(wordsOf(opt.commandLine!)).toEqual([opt.config.command, ...opt.config.args]);
    expect(opt.config.args).toEqual(["--flag;printf INJECTED", "x y", "@example/q$(printf INJECTED)@1.0.0", ...HOSTILE]);
    expect(wordsOf(opt.claudeCommand).slice(-opt.config.args.length)).toEqual(opt.config.args);
  });

  it("environment values with spaces and quotes are assignments the shell makes, not commands", () => {
    const opt = lineOf(server({ environmentVariables: [{ name: "GREETING", value: "it's a $(printf INJECTED) day" }, { name: "EMPTY", value: "" }] }));
    expect(opt.commandLine!.startsWith("GREETING='it'\\''s a $(printf INJECTED) day' EMPTY='' npx ")).toBe(true);
    expect(assignmentsOf(opt.commandLine!)).toMatchObject({ GREETING: "it's a $(printf INJECTED) day", EMPTY: "" });
  });

  it("a variable name the shell cannot assign goes through env(1)", () => {
    const opt = lineOf(server({ environmentVariables: [{ name: "my-var", value: "a b" }] }));
    expect(wordsOf(opt.commandLine!).slice(0, 3)).toEqual(["env", "my-var=a b", "npx"]);
  });

  it("docker lines keep hostile values inside their -e word", () => {
    const [opt] = installOptions({
      name: "com.example/oci",
      packages: [{ registryType: "oci", identifier: "docker.io/example/q:1", transport: { type: "stdio" }, environmentVariables: [{ name: "TOKEN", value: "a;printf INJECTED" }] }],
    });
    expect(wordsOf(opt.commandLine!)).toEqual(["docker", "run", "-i", "--rm", "-e", "TOKEN=a;printf INJECTED", "docker.io/example/q:1"]);
  });
});
