import type { DriftEntry } from "@/lib/catalog/detail";

const KIND: Record<string, string> = { TOOL: "tool", PROMPT: "prompt", RESOURCE: "resource", RESOURCE_TEMPLATE: "resource template" };

/** A field's value as text: strings as they are, anything else as indented JSON, absence as "(none)". */
function shown(v: unknown): string {
  if (v === undefined) return "(none)";
  return typeof v === "string" ? v : JSON.stringify(v, null, 2);
}

/** Drift events newest first; each changed definition gets a before/after table, one row per field. */
export function DriftHistory({ events }: { events: DriftEntry[] }) {
  if (!events.length) return <p className="text-sm text-zinc-500">No drift: the tools have matched the approved set since the first probe.</p>;
  return (
    <ol className="space-y-4" data-testid="drift-history">
      {events.map((e) => {
        const { added = [], removed = [], changed = [] } = e.diff ?? {};
        return (
          <li key={e.id} className="rounded border border-zinc-200 p-3 dark:border-zinc-800">
            <p className="text-sm">
              <time dateTime={e.detectedAt} className="font-medium">
                {e.detectedAt.replace("T", " ").slice(0, 16)} UTC
              </time>{" "}
              · version {e.version} ·{" "}
              {e.acknowledgedAt ? <span className="text-zinc-500">acknowledged</span> : <span className="text-amber-700 dark:text-amber-400">not acknowledged</span>}
            </p>
            {added.length > 0 && (
              <p className="mt-2 text-sm">
                <span className="font-medium text-green-700 dark:text-green-400">Added:</span>{" "}
                {added.map((d, i) => (
                  <span key={`${d.kind}:${d.name}`}>
                    {i > 0 && ", "}
                    <code>{d.name}</code> <span className="text-xs text-zinc-500">({KIND[d.kind] ?? d.kind})</span>
                  </span>
                ))}
              </p>
            )}
            {removed.length > 0 && (
              <p className="mt-2 text-sm">
                <span className="font-medium text-red-700 dark:text-red-400">Removed:</span>{" "}
                {removed.map((d, i) => (
                  <span key={`${d.kind}:${d.name}`}>
                    {i > 0 && ", "}
                    <code>{d.name}</code> <span className="text-xs text-zinc-500">({KIND[d.kind] ?? d.kind})</span>
                  </span>
                ))}
              </p>
            )}
            {changed.map((c) => (
              <div key={`${c.kind}:${c.name}`} className="mt-3 overflow-x-auto">
                <table className="w-full table-fixed text-left text-xs">
                  <caption className="mb-1 text-left text-sm">
                    Changed {KIND[c.kind] ?? c.kind} <code className="font-semibold">{c.name}</code>
                  </caption>
                  <thead className="border-b border-zinc-200 text-zinc-500 dark:border-zinc-800">
                    <tr>
                      <th scope="col" className="w-28 py-1 pr-2 font-medium">Field</th>
                      <th scope="col" className="py-1 pr-2 font-medium">Before</th>
                      <th scope="col" className="py-1 font-medium">After</th>
                    </tr>
                  </thead>
                  <tbody>
                    {c.fields.map((f) => (
                      <tr key={f.field} className="border-b border-zinc-100 align-top dark:border-zinc-900">
                        <th scope="row" className="py-1 pr-2 font-mono font-normal">{f.field}</th>
                        <td className="py-1 pr-2">
                          <pre className="rounded bg-red-50 p-1 break-words whitespace-pre-wrap dark:bg-red-950/50">{shown(f.before)}</pre>
                        </td>
                        <td className="py-1">
                          <pre className="rounded bg-green-50 p-1 break-words whitespace-pre-wrap dark:bg-green-950/50">{shown(f.after)}</pre>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ))}
          </li>
        );
      })}
    </ol>
  );
}
