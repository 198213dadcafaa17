"use client";
import { buttonCls, FieldMessages, hintCls } from "@/components/form/fields";
import { SelectField, TextField, type FieldContext } from "./fields";
import { errorsAt, fieldId, REGISTRY_TYPES, type PackageRow } from "./model";

const IDENTIFIER_HINTS: Record<string, string> = {
  npm: "@acme/weather-mcp",
  pypi: "acme-weather-mcp",
  oci: "ghcr.io/acme/weather-mcp",
  nuget: "Acme.WeatherMcp",
  mcpb: "https://github.com/acme/weather/releases/download/v1.0.0/weather.mcpb",
};

/** One package of the form: registry type, identifier, version; local packages run over stdio. */
export function PackageFields({ ctx, pkg, index, onChange, onRemove }: { ctx: FieldContext; pkg: PackageRow; index: number; onChange: (p: PackageRow) => void; onRemove: () => void }) {
  const base = `/packages/${index}`;
  const transport = (pkg.extra.transport as { type?: string } | undefined)?.type ?? "stdio";
  const rowErrors = [...errorsAt(ctx.errors, base), ...errorsAt(ctx.errors, `${base}/transport`)];
  return (
    <fieldset className="space-y-3 rounded border border-zinc-200 p-3 dark:border-zinc-800" data-testid="package-row">
      <legend className="px-1 text-sm font-semibold">Package {index + 1}</legend>
      <div className="grid gap-3 sm:grid-cols-[10rem_minmax(0,1fr)_10rem]">
        <SelectField ctx={ctx} pointer={`${base}/registryType`} label="Registry" value={pkg.registryType} options={REGISTRY_TYPES} onChange={(registryType) => onChange({ ...pkg, registryType })} />
        <TextField
          ctx={ctx}
          pointer={`${base}/identifier`}
          label="Identifier"
          autoComplete="off"
          spellCheck={false}
          placeholder={IDENTIFIER_HINTS[pkg.registryType]}
          value={pkg.identifier}
          onChange={(identifier) => onChange({ ...pkg, identifier })}
        />
        <TextField ctx={ctx} pointer={`${base}/version`} label="Package version" autoComplete="off" placeholder="1.0.0" value={pkg.version} onChange={(version) => onChange({ ...pkg, version })} />
      </div>
      {pkg.registryType === "mcpb" && (
        <TextField
          ctx={ctx}
          pointer={`${base}/fileSha256`}
          label="SHA-256 of the .mcpb file"
          autoComplete="off"
          spellCheck={false}
          className="font-mono"
          value={pkg.fileSha256}
          hint="64 lowercase hex characters, e.g. from sha256sum weather.mcpb"
          onChange={(fileSha256) => onChange({ ...pkg, fileSha256 })}
        />
      )}
      <FieldMessages id={`${fieldId(base)}-error`} errors={rowErrors} />
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className={hintCls}>
          Transport: <code>{transport}</code>
          {transport === "stdio" && " (the client starts the package and talks to it over stdin/stdout)"}
        </p>
        <button type="button" className={buttonCls} onClick={onRemove}>
          Remove package<span className="sr-only"> {index + 1}</span>
        </button>
      </div>
    </fieldset>
  );
}
