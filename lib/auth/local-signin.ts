import { signInBlockedFor, signInFailed, signInSucceeded } from "./signin-throttle";
import { verifyCredentials } from "./users";

export type LocalSignIn =
  | { kind: "ok"; user: { id: string; email: string; name: string | null } }
  | { kind: "invalid" }
  | { kind: "throttled"; retryAfterSec: number };

/**
 * The email + password check behind the sign-in form: refused while the account or the client address
 * is over its failure limit (before any password is checked), else the password is verified (in the
 * same time whether or not the account exists) and the outcome counted.
 */
export async function authorizeLocal(email: string, password: string, clientAddress: string): Promise<LocalSignIn> {
  const account = email.trim().toLowerCase();
  const address = clientAddress || "unknown";
  const waitMs = await signInBlockedFor(account, address);
  if (waitMs > 0) return { kind: "throttled", retryAfterSec: Math.ceil(waitMs / 1000) };
  const user = await verifyCredentials(account, password);
  if (!user) {
    await signInFailed(account, address);
    return { kind: "invalid" };
  }
  await signInSucceeded(account);
  return { kind: "ok", user: { id: user.id, email: user.email, name: user.name } };
}

/** The client address next-auth's request carries: the first X-Forwarded-For entry, which the web server sets itself. */
export function clientAddressOf(headers: Record<string, unknown> | undefined): string {
  const xff = headers?.["x-forwarded-for"];
  return typeof xff === "string" ? (xff.split(",")[0]?.trim() ?? "") : "";
}
