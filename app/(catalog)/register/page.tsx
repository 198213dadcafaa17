import type { Metadata } from "next";

export const metadata: Metadata = { title: "Register a server" };

export default function RegisterPage() {
  return (
    <section className="space-y-4">
      <h1 className="text-2xl font-semibold">Register a server</h1>
      <p className="text-zinc-600 dark:text-zinc-400">
        The registration form is not available in this version yet. Publish a server.json with a <code>registry:publish</code> token:
      </p>
      <pre className="overflow-x-auto rounded bg-zinc-100 p-3 text-sm dark:bg-zinc-900">
        {`curl -X POST -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \\
     --data @server.json ${"<toolshed-url>"}/v0.1/publish`}
      </pre>
      <p className="text-sm text-zinc-500">
        Your team needs a namespace claim (for example <code>com.acme/*</code>) granted by an org admin. Catalogs can be imported with{" "}
        <code>npx toolshed import &lt;file or registry URL&gt;</code>.
      </p>
    </section>
  );
}
