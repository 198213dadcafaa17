"use client";
import { buttonCls, FieldMessages } from "@/components/form/fields";
import { SelectField, TextField, type FieldContext } from "./fields";
import { emptyHeader, errorsAt, fieldId, TRANSPORTS, type HeaderRow, type RemoteRow, type Transport } from "./model";
import { TestConnection } from "./TestConnection";

/** One remote of the form: transport, URL, headers, and a live "Test connection". */
export function RemoteFields({ ctx, remote, index, onChange, onRemove }: { ctx: FieldContext; remote: RemoteRow; index: number; onChange: (r: RemoteRow) => void; onRemove: () => void }) {
  const base = `/remotes/${index}`;
  const setHeader = (h: number, next: HeaderRow) => onChange({ ...remote, headers: remote.headers.map((x, i) => (i === h ? next : x)) });
  const rowErrors = [...errorsAt(ctx.errors, base), ...errorsAt(ctx.errors, `${base}/headers`)];
  return (
    <fieldset className="space-y-3 rounded border border-zinc-200 p-3 dark:border-zinc-800" data-testid="remote-row">
      <legend className="px-1 text-sm font-semibold">Remote {index + 1}</legend>
      <div className="grid gap-3 sm:grid-cols-[12rem_minmax(0,1fr)]">
        <SelectField ctx={ctx} pointer={`${base}/type`} label="Transport" value={remote.type} options={TRANSPORTS} onChange={(v) => onChange({ ...remote, type: v as Transport })} />
        <TextField
          ctx={ctx}
          pointer={`${base}/url`}
          label="URL"
          type="url"
          inputMode="url"
          autoComplete="off"
          spellCheck={false}
          placeholder="https://mcp.example.com/mcp"
          value={remote.url}
          onChange={(url) => onChange({ ...remote, url })}
        />
      </div>
      <FieldMessages id={`${fieldId(base)}-error`} errors={rowErrors} />
      {remote.headers.length > 0 && (
        <ul className="space-y-2" aria-label={`Headers of remote ${index + 1}`}>
          {remote.headers.map((h, hi) => {
            const hp = `${base}/headers/${hi}`;
            return (
              <li key={h.key} className="grid items-start gap-2 rounded bg-zinc-50 p-2 sm:grid-cols-[minmax(0,1fr)_minmax(0,1fr)_auto_auto] dark:bg-zinc-900" data-testid="header-row">
                <TextField ctx={ctx} pointer={`${hp}/name`} label={`Header ${hi + 1} name`} placeholder="Authorization" autoComplete="off" spellCheck={false} value={h.name} onChange={(name) => setHeader(hi, { ...h, name })} />
                <TextField
                  ctx={ctx}
                  pointer={`${hp}/value`}
                  label={`Header ${hi + 1} value`}
                  type={h.isSecret ? "password" : "text"}
                  autoComplete="off"
                  spellCheck={false}
                  placeholder={h.isSecret ? "your key, to test" : "Bearer {token}"}
                  value={h.value}
                  hint={h.isSecret ? "Secret: used by Test connection only, never published; users are asked for their own." : undefined}
                  onChange={(value) => setHeader(hi, { ...h, value })}
                />
                <label className="flex items-center gap-2 pt-1 text-sm sm:pt-7">
                  <input type="checkbox" checked={h.isSecret} onChange={(e) => setHeader(hi, { ...h, isSecret: e.target.checked })} />
                  Secret
                </label>
                <button
                  type="button"
                  className={`${buttonCls} sm:mt-6`}
                  onClick={() => onChange({ ...remote, headers: remote.headers.filter((_, i) => i !== hi) })}
                  aria-label={`Remove header ${hi + 1} of remote ${index + 1}`}
                >
                  Remove
                </button>
              </li>
            );
          })}
        </ul>
      )}
      <div className="flex flex-wrap gap-2">
        <button type="button" className={buttonCls} onClick={() => onChange({ ...remote, headers: [...remote.headers, emptyHeader()] })}>
          Add header<span className="sr-only"> to remote {index + 1}</span>
        </button>
        <button type="button" className={buttonCls} onClick={onRemove}>
          Remove remote<span className="sr-only"> {index + 1}</span>
        </button>
      </div>
      <TestConnection remote={remote} index={index} />
    </fieldset>
  );
}
