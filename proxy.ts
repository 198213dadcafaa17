import { NextResponse, type NextRequest } from "next/server";
import { newNonce, pageSecurityHeaders } from "./lib/http/security-headers";

/**
 * Security headers on HTML pages. Next reads the nonce from the request's Content-Security-Policy
 * header and puts it on the scripts it renders, so the page and its policy share one nonce.
 */
export function proxy(request: NextRequest) {
  const headers = pageSecurityHeaders(newNonce(), process.env.NODE_ENV === "development");
  const forwarded = new Headers(request.headers);
  forwarded.set("Content-Security-Policy", headers["Content-Security-Policy"]);
  const response = NextResponse.next({ request: { headers: forwarded } });
  for (const [k, v] of Object.entries(headers)) response.headers.set(k, v);
  return response;
}

export const config = {
  matcher: [
    {
      // Pages only: not the APIs (problem+json, registry reads), Next's static files or the OpenAPI document.
      source: "/((?!api/|v0/|v0\\.1/|_next/static|_next/image|favicon\\.ico|openapi\\.json|\\.well-known/).*)",
      // Prefetches render nothing a nonce applies to.
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
