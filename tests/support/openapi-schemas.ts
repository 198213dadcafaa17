import { readFileSync } from "node:fs";
import path from "node:path";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { parse } from "yaml";

/**
 * JSON Schema 2020-12 validators for the component schemas of an OpenAPI 3.1 document. The whole
 * `components` section is loaded as one schema so `#/components/schemas/…` references resolve.
 */
export function componentValidators(doc: { components: object }, id: string) {
  const ajv = new Ajv2020({ allErrors: true, strictTypes: false });
  addFormats(ajv);
  ajv.addKeyword("example"); // OpenAPI's own annotation
  ajv.addKeyword("components");
  ajv.addSchema({ $id: id, components: doc.components });
  const cache = new Map<string, ValidateFunction>();
  return (schema: string): ValidateFunction => {
    let v = cache.get(schema);
    if (!v) {
      v = ajv.getSchema(`${id}#/components/schemas/${schema}`);
      if (!v) throw new Error(`no schema ${schema} in ${id}`);
      cache.set(schema, v);
    }
    return v;
  };
}

/** The official MCP Registry spec, as copied into the project. */
export function officialSpec(): { components: object; paths: Record<string, Record<string, unknown>> } {
  return parse(readFileSync(path.resolve(import.meta.dirname, "../../lib/contracts/official-openapi.yaml"), "utf8"));
}
