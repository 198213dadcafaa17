import Link from "next/link";
import type { ReactNode } from "react";
import { SignOutButton } from "./SignOutButton";

export interface ShellUser {
  email: string;
  isAdmin: boolean;
  isReviewer: boolean;
}

const navLink = "rounded px-2 py-1 hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-blue-600 dark:hover:bg-zinc-800";

/** Header with the main navigation and the signed-in user; every page renders inside it. */
export function AppShell({ user, children }: { user: ShellUser | null; children: ReactNode }) {
  return (
    <>
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:p-2">
        Skip to content
      </a>
      <header className="border-b border-zinc-200 dark:border-zinc-800">
        <nav aria-label="Main" className="mx-auto flex max-w-6xl flex-wrap items-center gap-2 px-4 py-3 text-sm">
          <Link href="/" className="mr-4 text-base font-semibold">
            Toolshed
          </Link>
          <Link href="/" className={navLink}>
            Catalog
          </Link>
          <Link href="/register" className={navLink}>
            Register
          </Link>
          {user && (
            <Link href="/mine" className={navLink}>
              My servers
            </Link>
          )}
          {user && (
            <Link href="/teams" className={navLink}>
              Teams
            </Link>
          )}
          {user?.isReviewer && (
            <Link href="/reviews" className={navLink}>
              Reviews
            </Link>
          )}
          {user && (
            <Link href="/usage" className={navLink}>
              Usage
            </Link>
          )}
          {user?.isAdmin && (
            <Link href="/audit" className={navLink}>
              Audit
            </Link>
          )}
          {user?.isAdmin && (
            <Link href="/admin" className={navLink}>
              Admin
            </Link>
          )}
          {user?.isAdmin && (
            <Link href="/settings" className={navLink}>
              Settings
            </Link>
          )}
          <span className="ml-auto flex items-center gap-2">
            {user ? (
              <>
                <Link href="/tokens" className={navLink}>
                  Tokens
                </Link>
                <span className="text-zinc-500" data-testid="current-user">
                  {user.email}
                </span>
                <SignOutButton className={navLink} />
              </>
            ) : (
              <Link href="/signin" className={navLink}>
                Sign in
              </Link>
            )}
          </span>
        </nav>
      </header>
      <main id="main" className="mx-auto max-w-6xl px-4 py-6">
        {children}
      </main>
    </>
  );
}
