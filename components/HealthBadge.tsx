import type { ReactNode } from "react";

const STYLES: Record<string, { label: string; cls: string }> = {
  up: { label: "Up", cls: "bg-green-100 text-green-800 dark:bg-green-950 dark:text-green-300" },
  degraded: { label: "Degraded", cls: "bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-300" },
  down: { label: "Down", cls: "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300" },
  error: { label: "Error", cls: "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300" },
  auth_required: { label: "Needs auth", cls: "bg-sky-100 text-sky-900 dark:bg-sky-950 dark:text-sky-300" },
  unknown: { label: "Not probed", cls: "bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300" },
};

/** A server's health (lower-case wire value: up, degraded, down, auth_required, error; anything else is "not probed"). */
export function HealthBadge({ health }: { health: string | null | undefined }) {
  const s = STYLES[(health ?? "unknown").toLowerCase()] ?? STYLES.unknown;
  return (
    <span className={`inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-medium ${s.cls}`}>
      <span aria-hidden="true">●</span>
      <span>
        <span className="sr-only">Health: </span>
        {s.label}
      </span>
    </span>
  );
}

/** A small neutral label (transport, tag, package type). */
export function Chip({ children, mono }: { children: ReactNode; mono?: boolean }) {
  return (
    <span className={`inline-block rounded border border-zinc-200 px-1.5 py-0.5 text-xs text-zinc-700 dark:border-zinc-700 dark:text-zinc-300 ${mono ? "font-mono" : ""}`}>
      {children}
    </span>
  );
}
