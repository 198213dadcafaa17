import type { Definition } from "@/lib/catalog/detail";
import { ClippedText } from "@/components/ClippedText";
import { clipText } from "@/lib/ui/clip";
import { paramRows } from "@/lib/ui/schema-params";

const str = (v: unknown) => (typeof v === "string" && v.trim() ? v : null);

/** A one-line label: long ones end in "…" (the full text is the description's job). */
const label = (s: string, max = 120) => {
  const { head, rest } = clipText(s, max, max);
  return rest ? `${head}…` : head;
};

function titleOf(d: Definition): string | null {
  const ann = d.definition.annotations as Record<string, unknown> | undefined;
  const title = str(d.definition.title) ?? str(ann?.title);
  return title && label(title);
}

const HINTS: [string, string][] = [
  ["readOnlyHint", "read-only"],
  ["destructiveHint", "destructive"],
  ["idempotentHint", "idempotent"],
  ["openWorldHint", "open world"],
];

/** One expandable entry per tool: description, behaviour hints and a parameter table from inputSchema. */
export function ToolList({ tools }: { tools: Definition[] }) {
  return (
    <ul className="space-y-2" data-testid="tool-list">
      {tools.map((t) => {
        const rows = paramRows(t.definition.inputSchema);
        const title = titleOf(t);
        const ann = (t.definition.annotations ?? {}) as Record<string, unknown>;
        const hints = HINTS.filter(([k]) => ann[k] === true).map(([, label]) => label);
        return (
          <li key={t.name}>
            <details className="rounded border border-zinc-200 dark:border-zinc-800" data-testid="tool" data-tool={t.name}>
              <summary className="cursor-pointer px-3 py-2 focus-visible:outline-2 focus-visible:outline-blue-600">
                <code className="font-semibold wrap-anywhere">{t.name}</code>
                {title && title !== t.name && <span className="ml-2 text-sm text-zinc-600 dark:text-zinc-400">{title}</span>}
                <span className="ml-2 text-xs text-zinc-500">{rows.length === 1 ? "1 parameter" : `${rows.length} parameters`}</span>
              </summary>
              <div className="space-y-2 px-3 pb-3 text-sm">
                {str(t.definition.description) && <ClippedText text={str(t.definition.description)!} className="text-zinc-700 dark:text-zinc-300" />}
                {hints.length > 0 && <p className="text-xs text-zinc-500">Hints: {hints.join(", ")}</p>}
                {rows.length === 0 ? (
                  <p className="text-zinc-500">No parameters.</p>
                ) : (
                  <div className="overflow-x-auto">
                    <table className="w-full text-left text-sm">
                      <caption className="sr-only">Parameters of {t.name}</caption>
                      <thead className="border-b border-zinc-200 text-xs text-zinc-500 dark:border-zinc-800">
                        <tr>
                          <th scope="col" className="py-1 pr-3 font-medium">Parameter</th>
                          <th scope="col" className="py-1 pr-3 font-medium">Type</th>
                          <th scope="col" className="py-1 font-medium">Description</th>
                        </tr>
                      </thead>
                      <tbody>
                        {rows.map((r) => (
                          <tr key={r.name} className="border-b border-zinc-100 align-top dark:border-zinc-900" data-testid="param">
                            <td className="py-1 pr-3 whitespace-nowrap" style={{ paddingLeft: `${r.depth}rem` }}>
                              <code>{r.name}</code>
                              {r.required && (
                                <span className="ml-1 text-red-700 dark:text-red-400" title="required">
                                  *<span className="sr-only"> (required)</span>
                                </span>
                              )}
                            </td>
                            <td className="py-1 pr-3 font-mono text-xs">{r.type}</td>
                            <td className="py-1">
                              {r.description && <ClippedText text={r.description} limit={300} />}
                              {r.enumValues.length > 0 && (
                                <span className="block text-xs text-zinc-500">
                                  One of: {r.enumValues.map((v, i) => <code key={v}>{i ? `, ${v}` : v}</code>)}
                                </span>
                              )}
                              {r.defaultValue !== null && <span className="block text-xs text-zinc-500">Default: <code>{r.defaultValue}</code></span>}
                            </td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                    <p className="mt-1 text-xs text-zinc-500">* required</p>
                  </div>
                )}
              </div>
            </details>
          </li>
        );
      })}
    </ul>
  );
}

/** Prompts (with their arguments) and resources / resource templates, as compact lists. */
export function PromptsAndResources({ prompts, resources }: { prompts: Definition[]; resources: Definition[] }) {
  return (
    <div className="grid gap-4 md:grid-cols-2">
      <div>
        <h3 className="mb-1 font-medium">Prompts ({prompts.length})</h3>
        {prompts.length === 0 ? (
          <p className="text-sm text-zinc-500">None listed.</p>
        ) : (
          <ul className="space-y-1 text-sm">
            {prompts.map((p) => {
              const args = Array.isArray(p.definition.arguments) ? (p.definition.arguments as { name?: string; required?: boolean }[]) : [];
              return (
                <li key={p.name}>
                  <code className="font-semibold wrap-anywhere">{p.name}</code>
                  {args.length > 0 && <span className="text-xs text-zinc-500"> ({args.map((a) => `${a.name ?? "?"}${a.required ? "*" : ""}`).join(", ")})</span>}
                  {str(p.definition.description) && <ClippedText text={str(p.definition.description)!} limit={300} className="text-zinc-600 dark:text-zinc-400" />}
                </li>
              );
            })}
          </ul>
        )}
      </div>
      <div>
        <h3 className="mb-1 font-medium">Resources ({resources.length})</h3>
        {resources.length === 0 ? (
          <p className="text-sm text-zinc-500">None listed.</p>
        ) : (
          <ul className="space-y-1 text-sm">
            {resources.map((r) => (
              <li key={`${r.kind}:${r.name}`}>
                <code className="break-all">{str(r.definition.uriTemplate) ?? str(r.definition.uri) ?? r.name}</code>
                {r.kind === "RESOURCE_TEMPLATE" && <span className="ml-1 text-xs text-zinc-500">(template)</span>}
                {str(r.definition.name) && <span className="ml-1 text-zinc-600 wrap-anywhere dark:text-zinc-400">{label(str(r.definition.name)!)}</span>}
                {str(r.definition.mimeType) && <span className="ml-1 font-mono text-xs text-zinc-500">{label(str(r.definition.mimeType)!, 60)}</span>}
                {str(r.definition.description) && <ClippedText text={str(r.definition.description)!} limit={300} className="text-zinc-600 dark:text-zinc-400" />}
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
