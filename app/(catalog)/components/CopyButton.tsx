"use client";
import { useEffect, useRef, useState } from "react";

/** Copies `text` to the clipboard and says so for two seconds ("Copied", announced politely). */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  async function copy() {
    clearTimeout(timer.current);
    try {
      await navigator.clipboard.writeText(text);
      setState("copied");
    } catch {
      setState("failed");
    }
    timer.current = setTimeout(() => setState("idle"), 2000);
  }

  return (
    <button
      type="button"
      onClick={copy}
      aria-label={`Copy ${label}`}
      className={`shrink-0 rounded border px-2 py-1 text-xs font-medium focus-visible:outline-2 focus-visible:outline-blue-600 ${
        state === "copied"
          ? "border-green-600 bg-green-50 text-green-800 dark:bg-green-950 dark:text-green-300"
          : "border-zinc-300 bg-white hover:bg-zinc-100 dark:border-zinc-700 dark:bg-zinc-900 dark:hover:bg-zinc-800"
      }`}
    >
      <span aria-live="polite">{state === "copied" ? "Copied" : state === "failed" ? "Copy failed: select the text" : "Copy"}</span>
    </button>
  );
}
