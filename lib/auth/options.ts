import type { AuthOptions, User } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import GitHubProvider from "next-auth/providers/github";
import { isDatabaseUnavailable } from "../db/unavailable";
import { env, type Env } from "../env";
import { logger } from "../logger";
import { sameOriginRedirect } from "./callback-url";
import type { OrgRole } from "./principal";
import { authorizeLocal, clientAddressOf } from "./local-signin";
import { throttledError } from "./signin-messages";
import { getUser, upsertOAuthUser, userIdByEmail } from "./users";

declare module "next-auth" {
  interface Session {
    user?: { id: string; email: string; name?: string | null; role: OrgRole };
  }
}

/** Reads the configured groups claim, which IdPs send as a list or as one space/comma separated string. */
export function groupsFromClaims(claims: Record<string, unknown> | undefined, claim: string): string[] {
  const v = claims?.[claim];
  if (Array.isArray(v)) return v.map(String);
  if (typeof v === "string") return v.split(/[\s,]+/).filter(Boolean);
  return [];
}

function providers(e: Env): AuthOptions["providers"] {
  const list: AuthOptions["providers"] = [];
  if (e.TOOLSHED_LOCAL_LOGIN)
    list.push(
      CredentialsProvider({
        id: "credentials",
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        async authorize(credentials, req): Promise<User | null> {
          if (!credentials?.email || !credentials.password) return null;
          const r = await authorizeLocal(credentials.email, credentials.password, clientAddressOf(req?.headers));
          // next-auth hands a thrown message to the sign-in page as its error code.
          if (r.kind === "throttled") throw new Error(throttledError(r.retryAfterSec));
          return r.kind === "ok" ? r.user : null;
        },
      }),
    );
  if (e.OIDC_ISSUER && e.OIDC_CLIENT_ID && e.OIDC_CLIENT_SECRET)
    list.push({
      id: "oidc",
      name: e.OIDC_NAME,
      type: "oauth",
      wellKnown: `${e.OIDC_ISSUER.replace(/\/+$/, "")}/.well-known/openid-configuration`,
      clientId: e.OIDC_CLIENT_ID,
      clientSecret: e.OIDC_CLIENT_SECRET,
      authorization: { params: { scope: "openid email profile" } },
      idToken: true,
      checks: ["pkce", "state"],
      profile: (p: Record<string, unknown>) => ({
        id: String(p.sub),
        email: typeof p.email === "string" ? p.email : null,
        name: typeof p.name === "string" ? p.name : typeof p.preferred_username === "string" ? p.preferred_username : null,
      }),
    });
  if (e.GITHUB_ID && e.GITHUB_SECRET)
    list.push(GitHubProvider({ clientId: e.GITHUB_ID, clientSecret: e.GITHUB_SECRET }));
  return list;
}

let cached: AuthOptions | undefined;

/** next-auth configuration, built from the environment on first use (not at import, so builds need no env). */
export function authOptions(): AuthOptions {
  if (cached) return cached;
  const e = env();
  cached = {
    secret: e.NEXTAUTH_SECRET,
    session: { strategy: "jwt", maxAge: 7 * 24 * 3600 },
    pages: { signIn: "/signin", error: "/signin" },
    providers: providers(e),
    logger: {
      error: (code, meta) => logger.error(`auth: ${code}`, { meta: String((meta as Error)?.message ?? "") }),
      warn: (code) => logger.warn(`auth: ${code}`),
      debug: () => undefined,
    },
    callbacks: {
      // After any sign-in or sign-out: only back to this site (next-auth's default accepts more shapes).
      redirect: async (params) => sameOriginRedirect(params),
      async signIn({ account, profile }) {
        if (!account || account.provider === "credentials") return true;
        const email = (profile as { email?: string } | undefined)?.email;
        if (!email) return "/signin?error=NoEmail";
        const user = await upsertOAuthUser({
          provider: account.provider,
          providerAccountId: account.providerAccountId,
          type: account.type,
          email,
          name: (profile as { name?: string }).name,
          groups: groupsFromClaims(profile as Record<string, unknown>, e.OIDC_GROUPS_CLAIM),
          adminGroups: e.OIDC_ADMIN_GROUPS,
        });
        return user ? true : "/signin?error=AccountDisabled";
      },
      async jwt({ token, user, account }) {
        if (account && user) {
          // OAuth users carry the provider's id; the session must carry ours.
          const local = account.provider === "credentials" ? user.id : (await userIdByEmail(user.email)) ?? undefined;
          token.uid = local;
        }
        return token;
      },
      async session({ session, token }) {
        let user: Awaited<ReturnType<typeof getUser>>;
        try {
          user = typeof token.uid === "string" ? await getUser(token.uid) : null;
        } catch (err) {
          // next-auth turns a failing callback into "signed out"; an outage must not look like that.
          if (isDatabaseUnavailable(err)) return { ...session, user: undefined, databaseUnavailable: true };
          throw err;
        }
        session.user = user && !user.disabled ? { id: user.id, email: user.email, name: user.name, role: user.role } : undefined;
        return session;
      },
    },
  };
  return cached;
}

export function enabledProviders(): { id: string; name: string }[] {
  return providers(env()).map((p) => ({ id: p.id, name: p.name }));
}
