"use client";
import type { InputHTMLAttributes, ReactNode } from "react";
import { fieldId, type FieldProblem } from "./model";

/** Labelled controls of the gateway settings form: ids from the API's JSON pointers, errors linked under each. */

export const inputCls =
  "w-full rounded border border-zinc-300 bg-white px-3 py-2 text-sm focus-visible:outline-2 focus-visible:outline-blue-600 aria-[invalid=true]:border-red-600 dark:border-zinc-700 dark:bg-zinc-900 dark:aria-[invalid=true]:border-red-500";
export const labelCls = "mb-1 block text-sm font-medium";
export const hintCls = "mt-1 text-xs text-zinc-600 dark:text-zinc-400";
export const buttonCls =
  "rounded border border-zinc-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-blue-600 disabled:opacity-50 dark:border-zinc-700 dark:bg-zinc-900 dark:hover:bg-zinc-800";
export const primaryCls =
  "rounded bg-blue-600 px-4 py-2 text-sm font-medium text-white hover:bg-blue-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 disabled:opacity-50";

const describedBy = (...ids: (string | false | null | undefined)[]) => ids.filter(Boolean).join(" ") || undefined;

export function Messages({ id, errors }: { id: string; errors: readonly FieldProblem[] }) {
  if (!errors.length) return null;
  return (
    <ul id={id} className="mt-1 space-y-0.5 text-sm text-red-700 dark:text-red-400" data-testid="field-error">
      {errors.map((e) => (
        <li key={`${e.pointer} ${e.message}`}>{e.message}</li>
      ))}
    </ul>
  );
}

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, "id" | "value" | "onChange">;

export function TextInput({
  pointer,
  label,
  value,
  onChange,
  errors,
  hint,
  ...rest
}: { pointer: string; label: ReactNode; value: string; onChange: (v: string) => void; errors: readonly FieldProblem[]; hint?: ReactNode } & InputProps) {
  const id = fieldId(pointer);
  return (
    <div className="min-w-0">
      <label htmlFor={id} className={labelCls}>
        {label}
      </label>
      <input
        id={id}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={errors.length > 0}
        aria-describedby={describedBy(errors.length > 0 && `${id}-error`, Boolean(hint) && `${id}-hint`)}
        className={inputCls}
        {...rest}
      />
      <Messages id={`${id}-error`} errors={errors} />
      {hint && (
        <p id={`${id}-hint`} className={hintCls}>
          {hint}
        </p>
      )}
    </div>
  );
}

export function SelectInput({
  pointer,
  label,
  value,
  options,
  onChange,
  errors,
}: { pointer: string; label: ReactNode; value: string; options: readonly (readonly [string, string])[]; onChange: (v: string) => void; errors: readonly FieldProblem[] }) {
  const id = fieldId(pointer);
  return (
    <div className="min-w-0">
      <label htmlFor={id} className={labelCls}>
        {label}
      </label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)} aria-invalid={errors.length > 0} aria-describedby={describedBy(errors.length > 0 && `${id}-error`)} className={inputCls}>
        {options.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
      <Messages id={`${id}-error`} errors={errors} />
    </div>
  );
}

export function ListInput({ pointer, label, value, onChange, errors, hint }: { pointer: string; label: ReactNode; value: string; onChange: (v: string) => void; errors: readonly FieldProblem[]; hint: ReactNode }) {
  const id = fieldId(pointer);
  return (
    <div className="min-w-0">
      <label htmlFor={id} className={labelCls}>
        {label}
      </label>
      <textarea
        id={id}
        rows={3}
        value={value}
        spellCheck={false}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={errors.length > 0}
        aria-describedby={describedBy(errors.length > 0 && `${id}-error`, `${id}-hint`)}
        className={`${inputCls} font-mono`}
      />
      <Messages id={`${id}-error`} errors={errors} />
      <p id={`${id}-hint`} className={hintCls}>
        {hint}
      </p>
    </div>
  );
}

/** A checkbox presented as a switch (role="switch", so it is announced as on/off). */
export function Switch({ id, label, checked, onChange, hint }: { id: string; label: ReactNode; checked: boolean; onChange: (v: boolean) => void; hint?: ReactNode }) {
  return (
    <div>
      <label htmlFor={id} className="inline-flex cursor-pointer items-center gap-3 text-sm font-medium">
        <input id={id} type="checkbox" role="switch" checked={checked} onChange={(e) => onChange(e.target.checked)} aria-describedby={hint ? `${id}-hint` : undefined} className="peer sr-only" />
        <span
          aria-hidden="true"
          className="relative h-5 w-9 shrink-0 rounded-full bg-zinc-300 transition-colors peer-checked:bg-blue-600 peer-focus-visible:outline-2 peer-focus-visible:outline-offset-2 peer-focus-visible:outline-blue-600 after:absolute after:top-0.5 after:left-0.5 after:h-4 after:w-4 after:rounded-full after:bg-white after:transition-transform peer-checked:after:translate-x-4 dark:bg-zinc-700"
        />
        {label}
      </label>
      {hint && (
        <p id={`${id}-hint`} className={hintCls}>
          {hint}
        </p>
      )}
    </div>
  );
}

export function Group({ title, children, description }: { title: string; children: ReactNode; description?: ReactNode }) {
  return (
    <fieldset className="min-w-0 space-y-3 rounded border border-zinc-200 p-3 dark:border-zinc-800">
      <legend className="px-1 text-sm font-semibold">{title}</legend>
      {description && <p className="text-xs text-zinc-600 dark:text-zinc-400">{description}</p>}
      {children}
    </fieldset>
  );
}
