"use client";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { fieldMessage, send, teamPath, type Problem } from "../api";
import { describedBy, FieldError, FormAlert, FormStatus, inputCls, primaryButton } from "../ui";

/** Org admins and team owners: add a member by email (POST /api/teams/{slug}/members). */
export function AddMemberForm({ slug }: { slug: string }) {
  const router = useRouter();
  const [problem, setProblem] = useState<Problem | null>(null);
  const [added, setAdded] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const formEl = e.currentTarget;
    const form = new FormData(formEl);
    const body = { email: String(form.get("email") ?? "").trim(), role: String(form.get("role") ?? "") };
    setBusy(true);
    const p = await send("POST", `${teamPath(slug)}/members`, body);
    setBusy(false);
    setProblem(p);
    if (p) {
      setAdded(null);
      return;
    }
    setAdded(`${body.email} is now ${body.role === "owner" ? "an owner" : `a ${body.role}`}.`);
    formEl.reset();
    router.refresh();
  }

  // "No user with email …" (404) and the last-owner rule (409) are about the email given.
  const emailError = fieldMessage(problem, "email") ?? (problem && !problem.errors?.length && (problem.status === 404 || problem.status === 409) ? problem.detail : undefined);
  const roleError = fieldMessage(problem, "role");
  const general = problem && !emailError && !roleError ? problem.detail : undefined;

  return (
    <form onSubmit={submit} noValidate aria-labelledby="add-member-title" className="grid gap-3 border-t border-zinc-200 pt-4 sm:grid-cols-[minmax(0,1fr)_12rem_auto] sm:items-start dark:border-zinc-800">
      <h3 id="add-member-title" className="font-medium sm:col-span-3">
        Add a member
      </h3>
      <div className="min-w-0">
        <label htmlFor="member-email" className="mb-1 block text-sm font-medium">
          Email
        </label>
        <input
          id="member-email"
          name="email"
          type="email"
          required
          autoComplete="off"
          spellCheck={false}
          aria-invalid={Boolean(emailError)}
          aria-describedby={describedBy("member-email-hint", emailError && "member-email-error")}
          className={inputCls}
        />
        <p id="member-email-hint" className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">
          The person must have signed in once, or have a local account
        </p>
        <FieldError id="member-email-error">{emailError}</FieldError>
      </div>
      <div className="min-w-0">
        <label htmlFor="member-role" className="mb-1 block text-sm font-medium">
          Role
        </label>
        <select id="member-role" name="role" defaultValue="maintainer" aria-invalid={Boolean(roleError)} aria-describedby={describedBy(roleError && "member-role-error")} className={inputCls}>
          <option value="owner">owner</option>
          <option value="maintainer">maintainer</option>
          <option value="viewer">viewer</option>
        </select>
        <FieldError id="member-role-error">{roleError}</FieldError>
      </div>
      <div className="sm:pt-6">
        <button type="submit" disabled={busy} className={primaryButton}>
          Add member
        </button>
      </div>
      <div className="sm:col-span-3">
        <FormAlert>{general}</FormAlert>
        <FormStatus>{added}</FormStatus>
      </div>
    </form>
  );
}
