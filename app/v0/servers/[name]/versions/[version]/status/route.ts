// The official registry serves the same API under /v0; VS Code falls back to it.
export { PATCH } from "../../../../../../v0.1/servers/[name]/versions/[version]/status/route";

export const dynamic = "force-dynamic";
