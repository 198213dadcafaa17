"use client";
import { signIn } from "next-auth/react";
import { useState, type FormEvent } from "react";
import { safeCallbackPath } from "@/lib/auth/callback-url";
import { signInErrorMessage } from "@/lib/auth/signin-messages";

const input =
  "w-full rounded border border-zinc-300 bg-white px-3 py-2 dark:border-zinc-700 dark:bg-zinc-900 focus-visible:outline-2 focus-visible:outline-blue-600";
const button = "w-full rounded bg-blue-600 px-3 py-2 font-medium text-white hover:bg-blue-700 disabled:opacity-60";

export function SignInForm(props: {
  callbackUrl: string;
  local: boolean;
  oauth: { id: string; name: string }[];
  initialError?: string;
}) {
  const [error, setError] = useState(props.initialError);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const form = new FormData(e.currentTarget);
    const r = await signIn("credentials", {
      email: String(form.get("email") ?? ""),
      password: String(form.get("password") ?? ""),
      redirect: false,
    });
    setBusy(false);
    // Checked again here: this is the one place the browser itself resolves the address.
    if (r?.ok && !r.error) window.location.assign(safeCallbackPath(props.callbackUrl, window.location.origin));
    else setError(signInErrorMessage(r?.error ?? "CredentialsSignin"));
  }

  return (
    <div className="space-y-6">
      {error && (
        <p role="alert" className="rounded border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200">
          {error}
        </p>
      )}
      {props.local && (
        <form onSubmit={submit} className="space-y-4" noValidate>
          <div>
            <label htmlFor="email" className="mb-1 block text-sm font-medium">
              Email
            </label>
            <input id="email" name="email" type="email" autoComplete="username" required className={input} />
          </div>
          <div>
            <label htmlFor="password" className="mb-1 block text-sm font-medium">
              Password
            </label>
            <input id="password" name="password" type="password" autoComplete="current-password" required className={input} />
          </div>
          <button type="submit" className={button} disabled={busy}>
            {busy ? "Signing in…" : "Sign in"}
          </button>
        </form>
      )}
      {props.oauth.map((p) => (
        <button key={p.id} type="button" className={button} onClick={() => signIn(p.id, { callbackUrl: props.callbackUrl })}>
          Continue with {p.name}
        </button>
      ))}
      {!props.local && !props.oauth.length && <p>No sign-in method is configured. Set TOOLSHED_LOCAL_LOGIN, OIDC_* or GITHUB_*.</p>}
    </div>
  );
}
