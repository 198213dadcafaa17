import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes, TextareaHTMLAttributes } from "react";

/**
 * Form presentation shared by the register form and the gateway settings form: the control styles and
 * labelled controls whose errors (data-testid="field-error") and hint sit under them, linked through
 * aria-describedby as `<id>-error`, `<id>-hint` and `<id>-extra`. Ids and errors come from the caller.
 */

export const inputCls =
  "w-full rounded border border-zinc-300 bg-white px-3 py-2 text-sm focus-visible:outline-2 focus-visible:outline-blue-600 aria-[invalid=true]:border-red-600 dark:border-zinc-700 dark:bg-zinc-900 dark:aria-[invalid=true]:border-red-500";
export const labelCls = "mb-1 block text-sm font-medium";
export const hintCls = "mt-1 text-xs text-zinc-600 dark:text-zinc-400";
export const buttonCls =
  "rounded border border-zinc-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-blue-600 disabled:opacity-50 dark:border-zinc-700 dark:bg-zinc-900 dark:hover:bg-zinc-800";
export const primaryCls =
  "rounded bg-blue-600 px-4 py-2 text-sm font-medium text-white hover:bg-blue-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 disabled:opacity-50";

/** One problem with the submitted data, by JSON pointer. */
export interface FieldMessage {
  pointer: string;
  message: string;
}

/** Space-separated ids for aria-describedby, skipping the absent ones. */
export const describedBy = (...ids: (string | false | null | undefined)[]) => ids.filter(Boolean).join(" ") || undefined;

/** The messages for one field, under it; its id goes into the field's aria-describedby. */
export function FieldMessages({ id, errors }: { id: string; errors: readonly FieldMessage[] }) {
  if (!errors.length) return null;
  return (
    <ul id={id} className="mt-1 space-y-0.5 text-sm text-red-700 dark:text-red-400" data-testid="field-error">
      {errors.map((e) => (
        <li key={`${e.pointer} ${e.message}`}>{e.message}</li>
      ))}
    </ul>
  );
}

interface FieldProps {
  id: string;
  label: ReactNode;
  value: string;
  onChange: (v: string) => void;
  errors: readonly FieldMessage[];
  hint?: ReactNode;
  /** More help under the hint (e.g. a live verdict), also linked from the control. */
  extraHint?: ReactNode;
}

/** A control with its label above and its errors and hints below. */
function Field({ id, label, errors, hint, extraHint, children }: Omit<FieldProps, "value" | "onChange"> & { children: ReactNode }) {
  return (
    <div className="min-w-0">
      <label htmlFor={id} className={labelCls}>
        {label}
      </label>
      {children}
      <FieldMessages id={`${id}-error`} errors={errors} />
      {hint && (
        <p id={`${id}-hint`} className={hintCls}>
          {hint}
        </p>
      )}
      {extraHint && <div id={`${id}-extra`}>{extraHint}</div>}
    </div>
  );
}

/** The attributes every control of a Field gets: id, value, change handler, invalid state, descriptions, style. */
function controlProps({ id, value, onChange, errors, hint, extraHint }: FieldProps, className: string | undefined) {
  return {
    id,
    value,
    onChange: (e: { target: { value: string } }) => onChange(e.target.value),
    "aria-invalid": errors.length > 0,
    "aria-describedby": describedBy(errors.length > 0 && `${id}-error`, Boolean(hint) && `${id}-hint`, Boolean(extraHint) && `${id}-extra`),
    className: className ? `${inputCls} ${className}` : inputCls,
  };
}

type Native<A> = Omit<A, keyof FieldProps>;

export type LabelledInputProps = FieldProps & Native<InputHTMLAttributes<HTMLInputElement>>;

/** A labelled text input; other input attributes (type, placeholder, onBlur, …) pass through. */
export function LabelledInput({ id, label, value, onChange, errors, hint, extraHint, className, ...rest }: LabelledInputProps) {
  const field = { id, label, value, onChange, errors, hint, extraHint };
  return (
    <Field {...field}>
      <input {...controlProps(field, className)} {...rest} />
    </Field>
  );
}

export type LabelledTextAreaProps = FieldProps & Native<TextareaHTMLAttributes<HTMLTextAreaElement>>;

/** A labelled textarea; other textarea attributes (rows, spellCheck, onBlur, …) pass through. */
export function LabelledTextArea({ id, label, value, onChange, errors, hint, extraHint, className, ...rest }: LabelledTextAreaProps) {
  const field = { id, label, value, onChange, errors, hint, extraHint };
  return (
    <Field {...field}>
      <textarea {...controlProps(field, className)} {...rest} />
    </Field>
  );
}

export type LabelledSelectProps = FieldProps & { options: readonly (readonly [value: string, label: string])[] } & Native<SelectHTMLAttributes<HTMLSelectElement>>;

/** A labelled select of [value, label] options. */
export function LabelledSelect({ id, label, value, onChange, errors, hint, extraHint, className, options, ...rest }: LabelledSelectProps) {
  const field = { id, label, value, onChange, errors, hint, extraHint };
  return (
    <Field {...field}>
      <select {...controlProps(field, className)} {...rest}>
        {options.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
    </Field>
  );
}
