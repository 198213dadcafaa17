"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { fieldMessage, send, type Problem } from "./api";
import { describedBy, FieldError, FormAlert, FormStatus, inputCls, primaryButton } from "./ui";

const FIELDS = ["slug", "name", "description", "oidcGroup"] as const;

/** Org admins: create a team (POST /api/teams). */
export function CreateTeamForm() {
  const router = useRouter();
  const [problem, setProblem] = useState<Problem | null>(null);
  const [created, setCreated] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const formEl = e.currentTarget;
    const form = new FormData(formEl);
    const body: Record<string, string> = {};
    for (const f of FIELDS) {
      const v = String(form.get(f) ?? "").trim();
      if (v || f === "slug" || f === "name") body[f] = v;
    }
    setBusy(true);
    const p = await send("POST", "/api/teams", body);
    setBusy(false);
    setProblem(p);
    if (p) {
      setCreated(null);
      return;
    }
    setCreated(body.slug);
    formEl.reset();
    router.refresh();
  }

  // A duplicate slug is a 409 without field errors: it belongs next to the slug.
  const err = (f: (typeof FIELDS)[number]) => fieldMessage(problem, f) ?? (f === "slug" && problem?.status === 409 ? problem.detail : undefined);
  const general = problem && !problem.errors?.length && problem.status !== 409 ? problem.detail : undefined;

  return (
    <form onSubmit={submit} noValidate aria-labelledby="create-team-title" className="grid gap-3 rounded border border-zinc-200 p-4 sm:grid-cols-2 dark:border-zinc-800">
      <h2 id="create-team-title" className="text-lg font-semibold sm:col-span-2">
        Create a team
      </h2>
      <div className="min-w-0">
        <label htmlFor="team-slug" className="mb-1 block text-sm font-medium">
          Slug
        </label>
        <input
          id="team-slug"
          name="slug"
          required
          autoComplete="off"
          spellCheck={false}
          aria-invalid={Boolean(err("slug"))}
          aria-describedby={describedBy("team-slug-hint", err("slug") && "team-slug-error")}
          className={inputCls}
        />
        <p id="team-slug-hint" className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">
          Lowercase letters, digits and dashes; used in addresses
        </p>
        <FieldError id="team-slug-error">{err("slug")}</FieldError>
      </div>
      <div className="min-w-0">
        <label htmlFor="team-name" className="mb-1 block text-sm font-medium">
          Name
        </label>
        <input id="team-name" name="name" required aria-invalid={Boolean(err("name"))} aria-describedby={describedBy(err("name") && "team-name-error")} className={inputCls} />
        <FieldError id="team-name-error">{err("name")}</FieldError>
      </div>
      <div className="min-w-0 sm:col-span-2">
        <label htmlFor="team-description" className="mb-1 block text-sm font-medium">
          Description <span className="font-normal text-zinc-500 dark:text-zinc-400">(optional)</span>
        </label>
        <textarea
          id="team-description"
          name="description"
          rows={2}
          aria-invalid={Boolean(err("description"))}
          aria-describedby={describedBy(err("description") && "team-description-error")}
          className={inputCls}
        />
        <FieldError id="team-description-error">{err("description")}</FieldError>
      </div>
      <div className="min-w-0">
        <label htmlFor="team-oidc" className="mb-1 block text-sm font-medium">
          OIDC group <span className="font-normal text-zinc-500 dark:text-zinc-400">(optional)</span>
        </label>
        <input
          id="team-oidc"
          name="oidcGroup"
          autoComplete="off"
          spellCheck={false}
          aria-invalid={Boolean(err("oidcGroup"))}
          aria-describedby={describedBy("team-oidc-hint", err("oidcGroup") && "team-oidc-error")}
          className={inputCls}
        />
        <p id="team-oidc-hint" className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">
          Members of this identity-provider group join the team at sign-in
        </p>
        <FieldError id="team-oidc-error">{err("oidcGroup")}</FieldError>
      </div>
      <div className="space-y-2 sm:col-span-2">
        <button type="submit" disabled={busy} className={primaryButton}>
          Create team
        </button>
        <FormAlert>{general}</FormAlert>
        <FormStatus>
          {created && (
            <>
              Team {created} created.{" "}
              <Link href={`/teams/${encodeURIComponent(created)}`} className="underline">
                Add its members
              </Link>
            </>
          )}
        </FormStatus>
      </div>
    </form>
  );
}
