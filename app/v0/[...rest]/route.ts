// The official registry serves the same API under /v0; VS Code falls back to it.
export { GET, POST, PUT, PATCH, DELETE } from "../../v0.1/[...rest]/route";

export const dynamic = "force-dynamic";
