import type { ServerDetail, VersionSummary } from "@/lib/catalog/detail";

interface KV {
  name?: string;
  description?: string;
  isRequired?: boolean;
  isSecret?: boolean;
}
interface Remote {
  type?: string;
  url?: string;
  headers?: KV[];
}
interface Pkg {
  registryType?: string;
  identifier?: string;
  version?: string;
  transport?: { type?: string };
  environmentVariables?: KV[];
}

const arr = <T,>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);

function Inputs({ label, items }: { label: string; items: KV[] }) {
  if (!items.length) return null;
  return (
    <div className="mt-1 text-xs">
      <span className="text-zinc-500">{label}: </span>
      <ul className="mt-0.5 space-y-0.5 pl-4">
        {items.map((e) => (
          <li key={e.name}>
            <code>{e.name}</code>
            {e.isRequired && <span className="ml-1 text-zinc-500">required</span>}
            {e.isSecret && <span className="ml-1 text-amber-700 dark:text-amber-400">secret</span>}
            {e.description && <span className="ml-1 text-zinc-600 dark:text-zinc-400">— {e.description}</span>}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The latest version's remotes and packages as published in server.json. */
export function Connection({ serverJson }: { serverJson: ServerDetail["serverJson"] }) {
  const remotes = arr<Remote>(serverJson.remotes);
  const packages = arr<Pkg>(serverJson.packages);
  if (!remotes.length && !packages.length) return <p className="text-sm text-zinc-500">No remotes or packages are listed.</p>;
  return (
    <div className="grid gap-4 md:grid-cols-2">
      {remotes.length > 0 && (
        <div>
          <h3 className="mb-1 font-medium">Remotes</h3>
          <ul className="space-y-2 text-sm">
            {remotes.map((r, i) => (
              <li key={i} data-testid="remote">
                <span className="mr-2 rounded border border-zinc-300 px-1 font-mono text-xs dark:border-zinc-700">{r.type}</span>
                <code className="break-all">{r.url}</code>
                <Inputs label="Headers" items={arr<KV>(r.headers)} />
              </li>
            ))}
          </ul>
        </div>
      )}
      {packages.length > 0 && (
        <div>
          <h3 className="mb-1 font-medium">Packages</h3>
          <ul className="space-y-2 text-sm">
            {packages.map((p, i) => (
              <li key={i} data-testid="package">
                <span className="mr-2 rounded border border-zinc-300 px-1 font-mono text-xs dark:border-zinc-700">{p.registryType}</span>
                <code className="break-all">
                  {p.identifier}
                  {p.version ? `@${p.version}` : ""}
                </code>
                {p.transport?.type && <span className="ml-2 text-xs text-zinc-500">({p.transport.type})</span>}
                <Inputs label="Environment variables" items={arr<KV>(p.environmentVariables)} />
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

const REVIEW: Record<VersionSummary["reviewState"], string> = { pending: "pending review", approved: "approved", rejected: "rejected", changed: "changed since approval" };

export function reviewLabel(s: VersionSummary["reviewState"]): string {
  return REVIEW[s] ?? s;
}

/** Every non-deleted version, newest first, with its registry status and review state. */
export function VersionsTable({ versions }: { versions: VersionSummary[] }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm">
        <thead className="border-b border-zinc-200 text-xs text-zinc-500 dark:border-zinc-800">
          <tr>
            <th scope="col" className="py-1 pr-3 font-medium">Version</th>
            <th scope="col" className="py-1 pr-3 font-medium">Status</th>
            <th scope="col" className="py-1 pr-3 font-medium">Review</th>
            <th scope="col" className="py-1 font-medium">Published</th>
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => (
            <tr key={v.version} className="border-b border-zinc-100 dark:border-zinc-900" data-testid="version-row">
              <td className="py-1 pr-3 font-mono">
                {v.version}
                {v.isLatest && <span className="ml-2 rounded bg-blue-100 px-1 font-sans text-xs text-blue-900 dark:bg-blue-950 dark:text-blue-200">latest</span>}
              </td>
              <td className="py-1 pr-3">
                {v.status}
                {v.statusMessage && <span className="block text-xs text-zinc-500">{v.statusMessage}</span>}
              </td>
              <td className="py-1 pr-3">{reviewLabel(v.reviewState)}</td>
              <td className="py-1">{v.publishedAt.slice(0, 10)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
