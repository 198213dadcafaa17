// The start every benchmark shares: the repository root, TypeScript imports of lib/ through tsx, and
// the command line's `--name=value` options (a bare `--flag` is "true"; a value may contain "=").
import path from "node:path";
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
register({ tsconfig: path.join(ROOT, "tsconfig.json") });

export const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, ...v] = a.replace(/^--/, "").split("=");
    return [k, v.length ? v.join("=") : "true"];
  }),
);
