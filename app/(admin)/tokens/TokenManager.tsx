"use client";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";

interface TokenRow {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

interface Problem {
  detail?: string;
  errors?: { pointer: string; message: string }[];
}

const day = (iso: string | null, none: string) => (iso ? iso.slice(0, 10) : none);
const inputCls = "rounded border border-zinc-300 bg-white px-3 py-2 dark:border-zinc-700 dark:bg-zinc-900";

function state(t: TokenRow): string {
  if (t.revokedAt) return "revoked";
  if (t.expiresAt && new Date(t.expiresAt) <= new Date()) return "expired";
  return "active";
}

export function TokenManager({ tokens, scopes }: { tokens: TokenRow[]; scopes: string[] }) {
  const router = useRouter();
  const [created, setCreated] = useState<string>();
  const [problem, setProblem] = useState<Problem>();
  const fieldError = (f: string) => problem?.errors?.find((e) => e.pointer === `/${f}` || e.pointer.startsWith(`/${f}/`))?.message;

  async function create(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const formEl = e.currentTarget;
    const form = new FormData(formEl);
    const days = String(form.get("expiresInDays") ?? "").trim();
    const r = await fetch("/api/tokens", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: form.get("name"), scopes: form.getAll("scopes"), ...(days ? { expiresInDays: days } : {}) }),
    });
    const body = await r.json();
    if (!r.ok) return setProblem(body as Problem);
    setProblem(undefined);
    setCreated(body.token);
    formEl.reset();
    router.refresh();
  }

  async function revoke(id: string) {
    const r = await fetch(`/api/tokens/${encodeURIComponent(id)}`, { method: "DELETE" });
    if (!r.ok) setProblem(await r.json());
    router.refresh();
  }

  return (
    <div className="space-y-6">
      {created && (
        <div role="status" className="rounded border border-green-300 bg-green-50 p-3 text-sm dark:border-green-800 dark:bg-green-950">
          <p className="font-medium">Copy this token now; it will not be shown again.</p>
          <code data-testid="new-token" className="mt-2 block break-all">{created}</code>
        </div>
      )}
      <form onSubmit={create} className="grid gap-3 rounded border border-zinc-200 p-4 sm:grid-cols-2 dark:border-zinc-800" noValidate>
        <div>
          <label htmlFor="token-name" className="mb-1 block text-sm font-medium">Name</label>
          <input id="token-name" name="name" className={`${inputCls} w-full`} aria-describedby="token-name-error" />
          {fieldError("name") && <p id="token-name-error" className="mt-1 text-sm text-red-700 dark:text-red-400">{fieldError("name")}</p>}
        </div>
        <div>
          <label htmlFor="token-days" className="mb-1 block text-sm font-medium">Expires in days (empty: never)</label>
          <input id="token-days" name="expiresInDays" inputMode="numeric" className={`${inputCls} w-full`} aria-describedby="token-days-error" />
          {fieldError("expiresInDays") && <p id="token-days-error" className="mt-1 text-sm text-red-700 dark:text-red-400">{fieldError("expiresInDays")}</p>}
        </div>
        <fieldset className="sm:col-span-2">
          <legend className="mb-1 text-sm font-medium">Scopes</legend>
          <div className="flex flex-wrap gap-4">
            {scopes.map((s) => (
              <label key={s} className="flex items-center gap-2 text-sm">
                <input type="checkbox" name="scopes" value={s} /> {s}
              </label>
            ))}
          </div>
          {fieldError("scopes") && <p className="mt-1 text-sm text-red-700 dark:text-red-400">{fieldError("scopes")}</p>}
        </fieldset>
        <div className="sm:col-span-2">
          <button type="submit" className="rounded bg-blue-600 px-3 py-2 text-sm font-medium text-white hover:bg-blue-700">Create token</button>
          {problem?.detail && !problem.errors && <p role="alert" className="mt-2 text-sm text-red-700">{problem.detail}</p>}
        </div>
      </form>
      {tokens.length === 0 ? (
        <p className="text-sm text-zinc-500">You have no tokens yet.</p>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm">
            <thead className="border-b border-zinc-200 dark:border-zinc-800">
              <tr><th className="py-2 pr-3">Name</th><th className="py-2 pr-3">Token</th><th className="py-2 pr-3">Scopes</th><th className="py-2 pr-3">Expires</th><th className="py-2 pr-3">Last used</th><th className="py-2 pr-3">State</th><th /></tr>
            </thead>
            <tbody>
              {tokens.map((t) => (
                <tr key={t.id} className="border-b border-zinc-100 dark:border-zinc-900">
                  <td className="py-2 pr-3">{t.name}</td>
                  <td className="py-2 pr-3 font-mono">{t.prefix}…</td>
                  <td className="py-2 pr-3">{t.scopes.join(", ")}</td>
                  <td className="py-2 pr-3">{day(t.expiresAt, "never")}</td>
                  <td className="py-2 pr-3">{day(t.lastUsedAt, "never")}</td>
                  <td className="py-2 pr-3">{state(t)}</td>
                  <td className="py-2">
                    {!t.revokedAt && (
                      <button type="button" onClick={() => revoke(t.id)} className="text-red-700 underline dark:text-red-400" aria-label={`Revoke ${t.name}`}>
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
