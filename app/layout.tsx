import type { Metadata } from "next";
import type { ReactNode } from "react";
import { AppShell } from "@/components/AppShell";
import { sessionPrincipal } from "@/lib/auth/session";
import { isAppError } from "@/lib/errors";
import { isReviewer } from "@/lib/review/service";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Toolshed", template: "%s · Toolshed" },
  description: "Private registry and governed gateway for MCP servers",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const principal = await sessionPrincipal().catch((e: unknown) => {
    if (isAppError(e) && e.code === "unavailable") return null;
    throw e;
  });
  // The session could not be read because the database is down: say so rather than look signed out.
  if (!principal)
    return (
      <html lang="en">
        <body className="min-h-screen font-sans antialiased">
          <main role="alert" className="mx-auto max-w-xl p-8">
            <h1 className="text-xl font-semibold">Database unavailable</h1>
            <p className="mt-2">Toolshed cannot reach its database right now. You are still signed in; reload this page in a few seconds.</p>
          </main>
        </body>
      </html>
    );
  const user = principal.kind === "user" ? { email: principal.email, isAdmin: principal.role === "ADMIN", isReviewer: await isReviewer(principal) } : null;
  return (
    <html lang="en">
      <body className="min-h-screen font-sans antialiased">
        <AppShell user={user}>{children}</AppShell>
      </body>
    </html>
  );
}
