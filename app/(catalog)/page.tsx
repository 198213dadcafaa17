import Link from "next/link";
import { sessionPrincipal } from "@/lib/auth/session";
import { listServers } from "@/lib/registry/service";

export default async function CatalogPage({ searchParams }: { searchParams: Promise<{ cursor?: string }> }) {
  const { cursor } = await searchParams;
  const page = await listServers(await sessionPrincipal(), { limit: "30", version: "latest", ...(cursor ? { cursor } : {}) });
  return (
    <section aria-labelledby="catalog-title" className="space-y-4">
      <h1 id="catalog-title" className="text-2xl font-semibold">
        Catalog
      </h1>
      <p className="text-zinc-600 dark:text-zinc-400">MCP servers registered in this Toolshed that you may see, by name.</p>
      {page.servers.length === 0 ? (
        <div className="rounded border border-dashed border-zinc-300 p-8 text-center dark:border-zinc-700">
          <p className="font-medium">No servers in the catalog yet.</p>
          <p className="mt-1 text-sm text-zinc-500">
            Publish one with <code>POST /v0.1/publish</code> or import a catalog with <code>npx toolshed import</code>.
          </p>
        </div>
      ) : (
        <ul className="divide-y divide-zinc-200 dark:divide-zinc-800">
          {page.servers.map(({ server }) => (
            <li key={String(server.name)} className="py-3">
              <p className="font-medium">{String(server.title ?? server.name)}</p>
              <p className="font-mono text-xs text-zinc-500">
                {String(server.name)} · {String(server.version)}
              </p>
              <p className="text-sm text-zinc-700 dark:text-zinc-300">{String(server.description)}</p>
            </li>
          ))}
        </ul>
      )}
      {page.metadata.nextCursor && (
        <Link href={`/?cursor=${page.metadata.nextCursor}`} className="inline-block rounded border px-3 py-1 text-sm">
          Next page
        </Link>
      )}
    </section>
  );
}
