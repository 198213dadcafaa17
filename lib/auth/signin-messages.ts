/**
 * What the sign-in page says for next-auth's error codes and Toolshed's own. Pure, so that the page
 * (from `?error=`) and the form (from signIn()'s answer) word them the same.
 */
export const THROTTLED = "TooManyAttempts";

const MESSAGES: Record<string, string> = {
  CredentialsSignin: "Wrong email or password.",
  OAuthSignin: "The sign-in provider could not be reached. Try again or use another method.",
  OAuthCallback: "The sign-in provider returned an error. Try again.",
  NoEmail: "Your account at the provider has no email address Toolshed can use.",
  AccountDisabled: "This account is disabled. Ask an administrator.",
  AccessDenied: "Access denied.",
};

/** `TooManyAttempts:<seconds>`, the error a throttled sign-in ends with. */
export const throttledError = (retryAfterSec: number) => `${THROTTLED}:${Math.max(1, Math.ceil(retryAfterSec))}`;

function waitText(sec: number): string {
  if (sec < 60) return sec === 1 ? "1 second" : `${sec} seconds`;
  const min = Math.ceil(sec / 60);
  return min === 1 ? "1 minute" : `${min} minutes`;
}

export function signInErrorMessage(code: string | null | undefined): string | undefined {
  if (!code) return undefined;
  const throttled = new RegExp(`^${THROTTLED}:(\\d+)$`).exec(code);
  if (throttled) return `Too many failed sign-in attempts. Try again in ${waitText(Number(throttled[1]))}.`;
  return MESSAGES[code] ?? "Sign-in failed. Try again.";
}
