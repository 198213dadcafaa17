"use client";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { fieldMessage, send, teamPath, type Problem } from "../api";
import { describedBy, FieldError, FormAlert, FormStatus, inputCls, primaryButton } from "../ui";

/** Org admins: grant the team a namespace (POST /api/teams/{slug}/claims). */
export function AddClaimForm({ slug }: { slug: string }) {
  const router = useRouter();
  const [problem, setProblem] = useState<Problem | null>(null);
  const [added, setAdded] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const formEl = e.currentTarget;
    const prefix = String(new FormData(formEl).get("prefix") ?? "").trim();
    setBusy(true);
    const p = await send("POST", `${teamPath(slug)}/claims`, { prefix });
    setBusy(false);
    setProblem(p);
    if (p) {
      setAdded(null);
      return;
    }
    setAdded(`${slug} now claims ${prefix}.`);
    formEl.reset();
    router.refresh();
  }

  // A claim someone already holds is a 409 without field errors: it belongs next to the field.
  const error = fieldMessage(problem, "prefix") ?? (problem?.status === 409 ? problem.detail : undefined);
  const general = problem && !error ? problem.detail : undefined;

  return (
    <form onSubmit={submit} noValidate aria-label="Add a namespace claim" className="grid gap-3 border-t border-zinc-200 pt-4 sm:grid-cols-[minmax(0,1fr)_auto] sm:items-start dark:border-zinc-800">
      <div className="min-w-0">
        <label htmlFor="claim-prefix" className="mb-1 block text-sm font-medium">
          Namespace claim
        </label>
        <input
          id="claim-prefix"
          name="prefix"
          required
          placeholder="com.acme/*"
          autoComplete="off"
          spellCheck={false}
          aria-invalid={Boolean(error)}
          aria-describedby={describedBy("claim-prefix-hint", error && "claim-prefix-error")}
          className={inputCls}
        />
        <p id="claim-prefix-hint" className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">
          A namespace such as <code>com.acme/*</code>, or one server name
        </p>
        <FieldError id="claim-prefix-error">{error}</FieldError>
      </div>
      <div className="sm:pt-6">
        <button type="submit" disabled={busy} className={primaryButton}>
          Add claim
        </button>
      </div>
      <div className="sm:col-span-2">
        <FormAlert>{general}</FormAlert>
        <FormStatus>{added}</FormStatus>
      </div>
    </form>
  );
}
