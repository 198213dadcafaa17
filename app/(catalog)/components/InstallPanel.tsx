import type { ReactNode } from "react";
import type { InstallOption } from "@/lib/ui/install";
import { CopyButton } from "./CopyButton";

const buttonCls =
  "inline-flex items-center rounded bg-blue-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-blue-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600";
const secondaryCls =
  "inline-flex items-center rounded border border-zinc-300 px-3 py-1.5 text-sm font-medium hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-blue-600 dark:border-zinc-700 dark:hover:bg-zinc-800";

function Snippet({ label, text, testId }: { label: string; text: string; testId: string }) {
  return (
    <figure className="space-y-1">
      <div className="flex items-center justify-between gap-2">
        <figcaption className="text-xs font-medium text-zinc-600 dark:text-zinc-400">{label}</figcaption>
        <CopyButton text={text} label={label} />
      </div>
      <pre className="overflow-x-auto rounded bg-zinc-100 p-2 text-xs dark:bg-zinc-900" data-testid={testId}>
        <code>{text}</code>
      </pre>
    </figure>
  );
}

function Client({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="space-y-2 border-t border-zinc-200 pt-3 first:border-t-0 first:pt-0 dark:border-zinc-800">
      <h3 className="font-medium">{title}</h3>
      {children}
    </section>
  );
}

function Option({ o }: { o: InstallOption }) {
  return (
    <div className="space-y-4" data-testid={`install-${o.id}`}>
      {o.kind === "gateway" && (
        <p className="rounded border border-blue-300 bg-blue-50 px-3 py-2 text-sm text-blue-900 dark:border-blue-800 dark:bg-blue-950 dark:text-blue-200" data-testid="gateway-install-note">
          Calls go through Toolshed&apos;s gateway and need an API token with the <code>gateway:invoke</code> scope (create one on the{" "}
          <a href="/tokens" className="underline">
            Tokens
          </a>{" "}
          page). VS Code asks for it when the server starts and keeps it in its secret storage.
        </p>
      )}
      {o.placeholders.length > 0 && (
        <p className="rounded border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200">
          Replace {o.placeholders.map((p, i) => <code key={p}>{i ? `, ${p}` : p}</code>)} with your own values before use.
        </p>
      )}
      {o.commandLine && (
        <Client title="Command line">
          <Snippet label={`${o.kind === "package" ? o.label : o.target} command line`} text={o.commandLine} testId="snippet-command" />
        </Client>
      )}
      <Client title="VS Code">
        <div className="flex flex-wrap gap-2">
          <a href={o.vscodeUrl} className={buttonCls} data-testid="vscode-link">
            Install in VS Code
          </a>
          <a href={o.vscodeWebUrl} className={secondaryCls} rel="noopener noreferrer" data-testid="vscode-web-link">
            Install via vscode.dev
          </a>
        </div>
        <Snippet label=".vscode/mcp.json" text={o.vscodeJson} testId="snippet-vscode" />
      </Client>
      <Client title="Cursor">
        <a href={o.cursorUrl} className={buttonCls} data-testid="cursor-link">
          Install in Cursor
        </a>
      </Client>
      <Client title="Claude Code and Claude Desktop">
        <Snippet label="Claude Code command" text={o.claudeCommand} testId="snippet-claude-command" />
        <Snippet
          label={o.kind === "package" ? "claude_desktop_config.json or .mcp.json" : ".mcp.json (Claude Code; in Claude Desktop add the URL as a custom connector)"}
          text={o.claudeJson}
          testId="snippet-claude-json"
        />
      </Client>
      <Client title="Other clients">
        <Snippet label="mcp.json (mcpServers)" text={o.mcpJson} testId="snippet-mcp-json" />
      </Client>
    </div>
  );
}

/** Per-client install buttons and snippets, one block per remote and package (the first open). */
export function InstallPanel({ options }: { options: InstallOption[] }) {
  if (!options.length) {
    return <p className="text-sm text-zinc-500">This server lists no remote endpoint or package that a client can install.</p>;
  }
  if (options.length === 1) return <Option o={options[0]} />;
  return (
    <div className="space-y-2">
      {options.map((o, i) => (
        <details key={o.id} open={i === 0} className="rounded border border-zinc-200 dark:border-zinc-800">
          <summary className="cursor-pointer px-3 py-2 text-sm font-medium focus-visible:outline-2 focus-visible:outline-blue-600">
            {o.label} <span className="font-mono text-xs break-all text-zinc-500">{o.target}</span>
          </summary>
          <div className="px-3 pb-3">
            <Option o={o} />
          </div>
        </details>
      ))}
    </div>
  );
}
