"use client";
import { useRouter } from "next/navigation";
import { useId, useState } from "react";

interface Problem {
  detail?: string;
  errors?: { pointer: string; message: string }[];
}

/**
 * Approve or reject one version; the comment is required to reject (the API says so too). A version
 * the reviewer published is theirs to reject only: approving it is left to another reviewer.
 */
export function ReviewActions({ server, version, state, ownVersion = false }: { server: string; version: string; state: string; ownVersion?: boolean }) {
  const router = useRouter();
  const id = useId();
  const [comment, setComment] = useState("");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function decide(decision: "approve" | "reject") {
    if (decision === "reject" && !comment.trim()) return setError("Say why you reject it.");
    setBusy(true);
    const r = await fetch(`/api/servers/${encodeURIComponent(server)}/versions/${encodeURIComponent(version)}/review`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ decision, ...(comment.trim() ? { comment: comment.trim() } : {}) }),
    });
    setBusy(false);
    if (!r.ok) return setError(((await r.json()) as Problem).detail ?? `Failed (${r.status})`);
    setError(undefined);
    setComment("");
    router.refresh();
  }

  return (
    <div className="flex flex-wrap items-end gap-2">
      <div className="flex min-w-64 flex-1 flex-col gap-1">
        <label htmlFor={`${id}-comment`} className="text-sm">
          Comment
        </label>
        <input
          id={`${id}-comment`}
          value={comment}
          onChange={(e) => setComment(e.target.value)}
          aria-invalid={Boolean(error)}
          aria-describedby={error ? `${id}-error` : undefined}
          className="rounded border border-zinc-300 bg-white px-3 py-2 dark:border-zinc-700 dark:bg-zinc-900"
        />
        {error && (
          <p id={`${id}-error`} role="alert" className="text-sm text-red-700 dark:text-red-400">
            {error}
          </p>
        )}
      </div>
      {state !== "approved" && (
        <button
          type="button"
          disabled={busy || ownVersion}
          title={ownVersion ? "You published this version; another reviewer must approve it" : undefined}
          aria-describedby={ownVersion ? `${id}-own` : undefined}
          onClick={() => decide("approve")}
          className="rounded bg-blue-700 px-3 py-2 text-white disabled:opacity-50"
        >
          Approve
        </button>
      )}
      {ownVersion && state !== "approved" && (
        <p id={`${id}-own`} className="basis-full text-sm text-zinc-600 dark:text-zinc-400">
          You published this version; another reviewer must approve it.
        </p>
      )}
      {state !== "rejected" && (
        <button type="button" disabled={busy} onClick={() => decide("reject")} className="rounded border border-red-700 px-3 py-2 text-red-700 disabled:opacity-50 dark:text-red-400">
          Reject
        </button>
      )}
    </div>
  );
}
