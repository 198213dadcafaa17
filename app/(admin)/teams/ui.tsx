import type { ReactNode } from "react";

/** Small shared pieces of the team pages' forms. */

export const inputCls =
  "w-full rounded border border-zinc-300 bg-white px-3 py-2 text-sm dark:border-zinc-700 dark:bg-zinc-900 aria-[invalid=true]:border-red-700 dark:aria-[invalid=true]:border-red-400";
export const primaryButton =
  "rounded bg-blue-700 px-3 py-2 text-sm font-medium text-white hover:bg-blue-800 disabled:opacity-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600";
export const secondaryButton =
  "rounded border border-zinc-300 px-3 py-1.5 text-sm hover:bg-zinc-100 disabled:opacity-50 focus-visible:outline-2 focus-visible:outline-blue-600 dark:border-zinc-700 dark:hover:bg-zinc-800";
export const dangerButton =
  "rounded border border-red-700 px-3 py-1.5 text-sm text-red-700 hover:bg-red-50 disabled:opacity-50 focus-visible:outline-2 focus-visible:outline-blue-600 dark:border-red-400 dark:text-red-400 dark:hover:bg-red-950";

export function FieldError({ id, children }: { id: string; children?: ReactNode }) {
  if (!children) return null;
  return (
    <p id={id} className="mt-1 text-sm text-red-700 dark:text-red-400">
      {children}
    </p>
  );
}

export function FormAlert({ children }: { children?: ReactNode }) {
  if (!children) return null;
  return (
    <p role="alert" className="text-sm text-red-700 dark:text-red-400">
      {children}
    </p>
  );
}

export function FormStatus({ children }: { children?: ReactNode }) {
  return (
    <p role="status" className="text-sm text-green-800 dark:text-green-300">
      {children}
    </p>
  );
}

/** The id list for aria-describedby: hints and errors that are present. */
export const describedBy = (...ids: (string | false | undefined | null)[]) => ids.filter(Boolean).join(" ") || undefined;
