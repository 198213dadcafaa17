/**
 * Where to go after signing in: a path on this site, never another one. The value is resolved the way
 * a browser would resolve it (so `/\evil.example`, `/<tab>/evil.example`, `//evil.example` and
 * `https://evil.example` all name another host, and `javascript:` another scheme) and refused unless it
 * stays on `origin`; the result is rebuilt from the parsed path with one leading slash, so no later
 * resolution can turn it into a host either. Pure, for both the server and the sign-in form.
 */
export function safeCallbackPath(raw: string | null | undefined, origin: string): string {
  if (!raw) return "/";
  let url: URL;
  let base: URL;
  try {
    base = new URL(origin);
    url = new URL(raw, base);
  } catch {
    return "/";
  }
  if (url.origin !== base.origin) return "/";
  return `/${url.pathname.replace(/^\/+/, "")}${url.search}${url.hash}`;
}

/** next-auth's redirect callback: an absolute URL on `baseUrl`, or `baseUrl` itself. */
export function sameOriginRedirect({ url, baseUrl }: { url: string; baseUrl: string }): string {
  return `${baseUrl.replace(/\/+$/, "")}${safeCallbackPath(url, baseUrl)}`;
}
