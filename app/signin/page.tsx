import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { safeCallbackPath } from "@/lib/auth/callback-url";
import { enabledProviders } from "@/lib/auth/options";
import { signInErrorMessage } from "@/lib/auth/signin-messages";
import { env } from "@/lib/env";
import { sessionPrincipal } from "@/lib/auth/session";
import { SignInForm } from "./SignInForm";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const params = await searchParams;
  const callbackUrl = safeCallbackPath(params.callbackUrl, env().publicUrl);
  if ((await sessionPrincipal()).kind === "user") redirect(callbackUrl);
  const providers = enabledProviders();
  const error = signInErrorMessage(params.error);
  return (
    <div className="mx-auto max-w-sm">
      <h1 className="mb-6 text-2xl font-semibold">Sign in to Toolshed</h1>
      <SignInForm
        callbackUrl={callbackUrl}
        local={providers.some((p) => p.id === "credentials")}
        oauth={providers.filter((p) => p.id !== "credentials")}
        initialError={error}
      />
    </div>
  );
}
