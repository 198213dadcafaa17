// The official registry serves the same API under /v0; VS Code falls back to it.
export { POST } from "../../v0.1/publish/route";

export const dynamic = "force-dynamic";
