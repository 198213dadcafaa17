import type { Metadata } from "next";

export const metadata: Metadata = { title: "Register a server" };

export default function RegisterPage() {
  return (
    <section className="space-y-4">
      <h1 className="text-2xl font-semibold">Register a server</h1>
      <p className="text-zinc-600 dark:text-zinc-400">
        Registering MCP servers (server.json, live probe, review) is not available in this version of Toolshed yet.
        Sign-in, API tokens and the CLI already work.
      </p>
    </section>
  );
}
