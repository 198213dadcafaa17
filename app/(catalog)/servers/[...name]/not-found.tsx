import Link from "next/link";

/** The same answer for a server that does not exist and one the visitor may not see. */
export default function ServerNotFound() {
  return (
    <section className="space-y-3 py-8 text-center">
      <h1 className="text-2xl font-semibold">Server not found</h1>
      <p className="text-zinc-600 dark:text-zinc-400">There is no server by that name in the catalog, or you may not see it. Signing in may show more.</p>
      <p>
        <Link href="/" className="text-blue-700 underline dark:text-blue-400">
          Back to the catalog
        </Link>
      </p>
    </section>
  );
}
