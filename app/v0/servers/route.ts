// The official registry serves the same API under /v0; VS Code falls back to it.
export { GET } from "../../v0.1/servers/route";

export const dynamic = "force-dynamic";
