#!/usr/bin/env node
// The `toolshed` command. Sources are TypeScript; tsx compiles them on the fly with the project's tsconfig.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
register({ tsconfig: path.join(root, "tsconfig.json") });
const { main } = await import("../cli/main.ts");
// Exit explicitly: libraries with exit hooks would otherwise end the process with their own code.
process.exit(await main(process.argv.slice(2)));
