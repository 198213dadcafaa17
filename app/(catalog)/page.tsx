import Link from "next/link";

export default function CatalogPage() {
  return (
    <section aria-labelledby="catalog-title" className="space-y-4">
      <h1 id="catalog-title" className="text-2xl font-semibold">
        Catalog
      </h1>
      <p className="text-zinc-600 dark:text-zinc-400">
        Approved MCP servers of your organisation, with their real tools, health and install buttons.
      </p>
      <div className="rounded border border-dashed border-zinc-300 p-8 text-center dark:border-zinc-700">
        <p className="font-medium">No servers in the catalog yet.</p>
        <p className="mt-1 text-sm text-zinc-500">
          Server registration is not available in this version; see <Link href="/register" className="underline">Register</Link>.
        </p>
      </div>
    </section>
  );
}
