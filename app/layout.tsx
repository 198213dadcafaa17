import type { Metadata } from "next";
import type { ReactNode } from "react";
import { AppShell } from "@/components/AppShell";
import { sessionPrincipal } from "@/lib/auth/session";
import { isReviewer } from "@/lib/review/service";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Toolshed", template: "%s · Toolshed" },
  description: "Private registry and governed gateway for MCP servers",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const principal = await sessionPrincipal();
  const user = principal.kind === "user" ? { email: principal.email, isAdmin: principal.role === "ADMIN", isReviewer: await isReviewer(principal) } : null;
  return (
    <html lang="en">
      <body className="min-h-screen font-sans antialiased">
        <AppShell user={user}>{children}</AppShell>
      </body>
    </html>
  );
}
