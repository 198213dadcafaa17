/**
 * The security headers of Toolshed's HTML pages. Scripts run only with the per-request nonce (Next puts
 * it on its own inline and bundle scripts; 'strict-dynamic' lets those load the rest), so injected
 * markup cannot run script. Styles allow inline attributes: React renders `style` props as attributes,
 * and a style cannot run code. Nothing may frame the pages (clickjacking).
 */
export function contentSecurityPolicy(nonce: string, dev: boolean): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export function pageSecurityHeaders(nonce: string, dev: boolean): Record<string, string> {
  return {
    "Content-Security-Policy": contentSecurityPolicy(nonce, dev),
    // For browsers without frame-ancestors.
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    // Server names in page paths may be private: other sites get no Referer at all.
    "Referrer-Policy": "same-origin",
  };
}

/** 128 random bits, base64 (the nonce source grammar of CSP). */
export function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}
