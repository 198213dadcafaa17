/**
 * Install snippets for one server.json: deep links and configuration for VS Code, Cursor, Claude and
 * any client that reads an `mcpServers` file, one set per remote and per package. Pure functions of
 * the server.json; secrets are never filled in, only named by placeholders such as `<API_KEY>`.
 *
 * Names: VS Code and GitHub's "registry only" policy match a local install to the registry entry by the
 * server's canonical name, exactly, so VS Code, Cursor and the mcp.json files use `server.name` as is.
 * Claude Code accepts only letters, digits, `-` and `_` in a server name, so it gets `localName`.
 *
 * With Toolshed's gateway on, the remotes are replaced by one option for the gateway URL that sends
 * `Authorization: Bearer <token>`: VS Code asks for the token once (an `inputs` entry with
 * `password: true`, kept in its secret storage), the other clients get a `<TOOLSHED_TOKEN>` placeholder.
 */

interface Input {
  value?: string;
  default?: string;
  description?: string;
  isSecret?: boolean;
  isRequired?: boolean;
  placeholder?: string;
  variables?: Record<string, Input>;
}
interface KeyValue extends Input {
  name: string;
}
interface Argument extends Input {
  type: "positional" | "named";
  name?: string;
  valueHint?: string;
}
interface Package {
  registryType: string;
  identifier: string;
  version?: string;
  runtimeHint?: string;
  transport?: { type: string; url?: string };
  runtimeArguments?: Argument[];
  packageArguments?: Argument[];
  environmentVariables?: KeyValue[];
}
interface Remote {
  type: string;
  url: string;
  headers?: KeyValue[];
  variables?: Record<string, Input>;
}
/** The server.json fields the snippets read (a stored server.json has more). */
export interface InstallableServer {
  name: string;
  packages?: Package[];
  remotes?: Remote[];
}

/** A client configuration: VS Code's mcp.json entry shape (`type` is "http", "sse" or "stdio"). */
export type ClientConfig =
  | { type: "http" | "sse"; url: string; headers?: Record<string, string> }
  | { type: "stdio"; command: string; args: string[]; env?: Record<string, string> };

/** A VS Code `inputs` entry: asked for when the server starts; `password` hides and stores it as a secret. */
export interface VscodeInput {
  type: "promptString";
  id: string;
  description: string;
  password?: boolean;
}

export interface InstallOption {
  id: string;
  kind: "remote" | "package" | "gateway";
  /** e.g. "streamable-http remote" or "npm package @scope/pkg@1.2.3" */
  label: string;
  /** Canonical server name (VS Code, Cursor, mcp.json). */
  name: string;
  /** Claude Code's name for it: `io.github.acme/weather` → `io-github-acme-weather`. */
  localName: string;
  /** The remote URL, or the package reference (identifier with version). */
  target: string;
  config: ClientConfig;
  /** For packages: the exact command line that runs the server; undefined for unknown registries. */
  commandLine?: string;
  vscodeUrl: string;
  vscodeWebUrl: string;
  /** `.vscode/mcp.json` */
  vscodeJson: string;
  cursorUrl: string;
  claudeCommand: string;
  /** `mcpServers` JSON for Claude Desktop (packages) and Claude Code's `.mcp.json`. */
  claudeJson: string;
  /** Generic `mcp.json` with `mcpServers` (Cursor, Windsurf, Cline and most other clients). */
  mcpJson: string;
  /** Placeholders the user has to replace, e.g. ["<API_KEY>"]. */
  placeholders: string[];
  /** VS Code's prompts (the gateway token); empty for the others. */
  vscodeInputs: VscodeInput[];
}

/** The gateway a server is called through, when it is on (lib/catalog/detail.ts `gateway`). */
export interface InstallGateway {
  url: string;
  transport: "streamable-http" | "sse";
}

export const GATEWAY_TOKEN_INPUT = "toolshed-token";
export const GATEWAY_TOKEN_PLACEHOLDER = "<TOOLSHED_TOKEN>";

export const localName = (name: string) => name.replace(/[^A-Za-z0-9_-]+/g, "-").replace(/^-+|-+$/g, "") || "server";

const placeholder = (s: string) => `<${s.replace(/[<>]/g, "")}>`;

/** `{var}` references in a value become the variable's non-secret default or value, else `<var>`. */
function expand(text: string, variables: Record<string, Input> | undefined): string {
  return text.replace(/\{([A-Za-z0-9_.-]+)\}/g, (_m, v: string) => {
    const def = variables?.[v];
    const known = def && !def.isSecret ? (def.value ?? def.default) : undefined;
    return known ?? placeholder(v);
  });
}

/** What to write for an input: its fixed value (variables expanded) unless it is secret, then its default, else a placeholder. */
function valueOf(input: Input, fallbackName: string): string {
  if (input.value !== undefined && !input.isSecret) return expand(input.value, input.variables);
  if (input.value !== undefined && /\{[^}]+\}/.test(input.value)) return expand(input.value, input.variables);
  if (input.default !== undefined && !input.isSecret) return input.default;
  return placeholder(fallbackName);
}

function argumentsOf(args: Argument[] | undefined): string[] {
  const out: string[] = [];
  for (const a of args ?? []) {
    if (a.type === "named" && a.name) {
      const hasValue = a.value !== undefined || a.default !== undefined || a.valueHint !== undefined || a.isRequired || a.isSecret;
      out.push(a.name);
      if (hasValue) out.push(valueOf(a, a.valueHint ?? a.name.replace(/^-+/, "")));
    } else {
      out.push(a.value !== undefined && !a.isSecret ? expand(a.value, a.variables) : placeholder(a.valueHint ?? a.name ?? "value"));
    }
  }
  return out;
}

function envOf(vars: KeyValue[] | undefined): Record<string, string> {
  return Object.fromEntries((vars ?? []).map((e) => [e.name, valueOf(e, e.name)]));
}

/** The process a package runs as: npx for npm, uvx for PyPI, docker for OCI images, dnx for NuGet. */
export function packageCommand(p: Package): { command: string; args: string[]; env: Record<string, string> } | undefined {
  const env = envOf(p.environmentVariables);
  const runtimeArgs = argumentsOf(p.runtimeArguments);
  const packageArgs = argumentsOf(p.packageArguments);
  const at = p.version ? `${p.identifier}@${p.version}` : p.identifier;
  switch (p.registryType) {
    case "npm":
      return { command: p.runtimeHint ?? "npx", args: [...(runtimeArgs.length ? runtimeArgs : ["-y"]), at, ...packageArgs], env };
    case "pypi":
      return { command: p.runtimeHint ?? "uvx", args: [...runtimeArgs, at, ...packageArgs], env };
    case "oci": {
      // docker passes the named variables through from the client's env (-e NAME), so values stay out of argv.
      const envFlags = Object.keys(env).flatMap((k) => ["-e", k]);
      return { command: "docker", args: ["run", "-i", "--rm", ...envFlags, ...runtimeArgs, p.identifier, ...packageArgs], env };
    }
    case "nuget":
      return { command: p.runtimeHint ?? "dnx", args: [...runtimeArgs, at, "--yes", ...(packageArgs.length ? ["--", ...packageArgs] : [])], env };
    default:
      return undefined;
  }
}

/*
 * POSIX shell quoting, written here because no shell-quoting library is installed and the rule is
 * small and closed: inside single quotes the shell expands nothing, so wrapping a word in '…' and
 * writing each ' as '\'' makes any string one literal word. Plain words stay readable.
 */
const SAFE_WORD = /^[A-Za-z0-9_\-.,:/@%+=]+$/;
/** One shell word that the shell reads back exactly as `s`. */
export const shellQuote = (s: string) => (SAFE_WORD.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
/** The command word: also quoted when it holds `=`, which would make it a variable assignment. */
const commandWord = (s: string) => (s.includes("=") ? `'${s.replace(/'/g, `'\\''`)}'` : shellQuote(s));

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The words before the command that set its environment: `NAME='value'` (the name must stay unquoted
 * for the shell to see an assignment); when a name is not a shell variable name, `env 'NAME=value'`.
 */
function envPrefix(env: Record<string, string>): string[] {
  const entries = Object.entries(env);
  if (entries.every(([k]) => ENV_NAME.test(k))) return entries.map(([k, v]) => `${k}=${shellQuote(v)}`);
  return ["env", ...entries.map(([k, v]) => shellQuote(`${k}=${v}`))];
}

function commandLineOf(p: Package, cmd: { command: string; args: string[]; env: Record<string, string> }): string {
  if (p.registryType === "oci") {
    // docker passes -e NAME=value itself, so the values are arguments, not assignments.
    const args = [...cmd.args];
    for (const [k, v] of Object.entries(cmd.env)) {
      const i = args.findIndex((a, j) => a === k && args[j - 1] === "-e");
      if (i >= 0) args[i] = `${k}=${v}`;
    }
    return [commandWord(cmd.command), ...args.map(shellQuote)].join(" ");
  }
  return [...envPrefix(cmd.env), commandWord(cmd.command), ...cmd.args.map(shellQuote)].join(" ");
}

const base64 = (s: string) => (typeof Buffer !== "undefined" ? Buffer.from(s, "utf8").toString("base64") : btoa(String.fromCharCode(...new TextEncoder().encode(s))));
const pretty = (v: unknown) => JSON.stringify(v, null, 2);

/** Cursor's and Claude's server entry: no `type` for stdio, `type` for remotes. */
function mcpServersEntry(c: ClientConfig): Record<string, unknown> {
  if (c.type === "stdio") return { command: c.command, args: c.args, ...(c.env && Object.keys(c.env).length ? { env: c.env } : {}) };
  return { type: c.type, url: c.url, ...(c.headers ? { headers: c.headers } : {}) };
}

function placeholdersIn(...texts: string[]): string[] {
  return [...new Set(texts.flatMap((t) => t.match(/<[A-Za-z0-9_.-]+>/g) ?? []))];
}

/** VS Code's own config and prompts when they differ from `config` (the gateway's token input). */
interface VscodeOverride {
  config: ClientConfig;
  inputs: VscodeInput[];
}

function build(server: InstallableServer, id: string, kind: InstallOption["kind"], label: string, target: string, config: ClientConfig, commandLine?: string, vscode?: VscodeOverride): InstallOption {
  const name = server.name;
  const local = localName(name);
  const vsConfig = vscode?.config ?? config;
  const inputs = vscode?.inputs ?? [];
  const vscodeUrl = `vscode:mcp/install?${encodeURIComponent(JSON.stringify({ name, ...vsConfig, ...(inputs.length ? { inputs } : {}) }))}`;
  const entry = mcpServersEntry(config);
  let claudeCommand: string;
  if (config.type === "stdio") {
    const env = Object.entries(config.env ?? {}).flatMap(([k, v]) => ["-e", shellQuote(`${k}=${v}`)]);
    claudeCommand = ["claude mcp add", ...env, local, "--", commandWord(config.command), ...config.args.map(shellQuote)].join(" ");
  } else {
    const headers = Object.entries(config.headers ?? {}).flatMap(([k, v]) => ["--header", shellQuote(`${k}: ${v}`)]);
    claudeCommand = ["claude mcp add --transport", config.type, ...headers, local, shellQuote(config.url)].join(" ");
  }
  const claudeJson = pretty({ mcpServers: { [local]: entry } });
  const mcpJson = pretty({ mcpServers: { [name]: entry } });
  const vscodeJson = pretty({ ...(inputs.length ? { inputs } : {}), servers: { [name]: vsConfig } });
  return {
    id,
    kind,
    label,
    name,
    localName: local,
    target,
    config,
    commandLine,
    vscodeUrl,
    vscodeWebUrl: `https://insiders.vscode.dev/redirect?url=${encodeURIComponent(vscodeUrl)}`,
    vscodeJson,
    cursorUrl: `cursor://anysphere.cursor-deeplink/mcp/install?name=${encodeURIComponent(name)}&config=${encodeURIComponent(base64(JSON.stringify(entry)))}`,
    claudeCommand,
    claudeJson,
    mcpJson,
    placeholders: placeholdersIn(vscodeJson, mcpJson, commandLine ?? ""),
    vscodeInputs: inputs,
  };
}

/** The gateway option: its URL with a bearer token, asked for by VS Code, a placeholder elsewhere. */
function gatewayOption(server: InstallableServer, g: InstallGateway): InstallOption {
  const type = g.transport === "sse" ? "sse" : "http";
  const config: ClientConfig = { type, url: g.url, headers: { Authorization: `Bearer ${GATEWAY_TOKEN_PLACEHOLDER}` } };
  const input: VscodeInput = { type: "promptString", id: GATEWAY_TOKEN_INPUT, description: "Toolshed API token with the gateway:invoke scope", password: true };
  const vscode: VscodeOverride = { config: { type, url: g.url, headers: { Authorization: `Bearer \${input:${GATEWAY_TOKEN_INPUT}}` } }, inputs: [input] };
  return build(server, "gateway", "gateway", `Toolshed gateway (${g.transport})`, g.url, config, undefined, vscode);
}

/**
 * One install option per remote (streamable-http, sse) and per package with a known runner; with the
 * gateway on, one gateway option instead of the remotes (they may name the private upstream).
 */
export function installOptions(server: InstallableServer, opts: { gateway?: InstallGateway | null } = {}): InstallOption[] {
  const out: InstallOption[] = [];
  if (opts.gateway) out.push(gatewayOption(server, opts.gateway));
  (opts.gateway ? [] : (server.remotes ?? [])).forEach((r, i) => {
    if (r.type !== "streamable-http" && r.type !== "sse") return;
    const url = expand(r.url, r.variables);
    const headers = r.headers?.length ? Object.fromEntries(r.headers.map((h) => [h.name, valueOf(h, h.name)])) : undefined;
    const config: ClientConfig = { type: r.type === "sse" ? "sse" : "http", url, ...(headers ? { headers } : {}) };
    out.push(build(server, `remote-${i}`, "remote", `${r.type} remote`, url, config));
  });
  (server.packages ?? []).forEach((p, i) => {
    const cmd = packageCommand(p);
    if (!cmd) return;
    // A package that serves HTTP itself still starts as a process; clients connect to it afterwards.
    const config: ClientConfig = { type: "stdio", command: cmd.command, args: cmd.args, ...(Object.keys(cmd.env).length ? { env: cmd.env } : {}) };
    const ref = p.registryType === "oci" ? p.identifier : p.version ? `${p.identifier}@${p.version}` : p.identifier;
    out.push(build(server, `package-${i}`, "package", `${p.registryType} package ${ref}`, ref, config, commandLineOf(p, cmd)));
  });
  return out;
}
