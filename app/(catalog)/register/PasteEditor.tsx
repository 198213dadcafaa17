"use client";
import { useMemo, useRef, useState, type FormEvent } from "react";
import { buttonCls, hintCls, primaryCls } from "@/components/form/fields";
import { publishServer, usePublishCheck, type PublishedEntry } from "./api";
import { lineOf, lineRange, parseJson, pointerLines } from "./json-lines";
import type { FieldError } from "./model";

interface LinedError extends FieldError {
  line: number;
}

/** Paste a server.json: checked as you type against the publish rules, each error with its line. */
export function PasteEditor({
  text,
  onText,
  onPublished,
  onOpenInForm,
}: {
  text: string;
  onText: (t: string) => void;
  onPublished: (e: PublishedEntry) => void;
  onOpenInForm: (json: Record<string, unknown>) => void;
}) {
  const area = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLDivElement>(null);
  const [submitting, setSubmitting] = useState(false);
  const [submitted, setSubmitted] = useState<{ forText: string; errors: FieldError[]; detail: string }>();
  const parsed = useMemo(() => (text.trim() ? parseJson(text) : null), [text]);
  const body = parsed?.ok ? JSON.stringify(parsed.value) : null;
  const live = usePublishCheck(body);
  const lines = useMemo(() => (parsed?.ok ? pointerLines(text) : new Map<string, number>()), [parsed, text]);

  const fieldErrors: FieldError[] = submitted?.forText === text ? submitted.errors : (live.check?.errors ?? []);
  const errors: LinedError[] = parsed?.ok
    ? fieldErrors.map((e) => ({ ...e, line: lineOf(lines, e.pointer) })).sort((a, b) => a.line - b.line)
    : parsed
      ? [{ pointer: "", message: `${parsed.problem.message} (column ${parsed.problem.column})`, line: parsed.problem.line }]
      : [];
  const errorLines = new Set(errors.map((e) => e.line));
  const lineCount = text.split("\n").length;
  const invalid = errors.length > 0;

  function goTo(line: number) {
    const el = area.current;
    if (!el) return;
    const [start, end] = lineRange(text, line);
    el.focus();
    el.setSelectionRange(start, end);
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!parsed?.ok) return;
    setSubmitting(true);
    const r = await publishServer(parsed.value);
    setSubmitting(false);
    if (r.ok) return onPublished(r.data);
    setSubmitted({ forText: text, errors: r.problem.errors ?? [], detail: r.problem.detail ?? `Publishing failed (HTTP ${r.status})` });
  }

  const status = !parsed
    ? "Paste or type a server.json."
    : !parsed.ok
      ? "Not valid JSON yet."
      : submitted?.forText === text
        ? `Not published: ${submitted.errors.length ? `${submitted.errors.length} ${submitted.errors.length === 1 ? "problem" : "problems"}` : submitted.detail}`
        : live.pending
          ? "Checking…"
          : live.problem
            ? `Could not check: ${live.problem.detail ?? "unknown error"}`
            : errors.length
              ? `${errors.length} ${errors.length === 1 ? "problem" : "problems"} to fix before publishing`
              : "Valid: ready to publish";

  return (
    <form onSubmit={submit} noValidate className="space-y-3" aria-label="Register a server by pasting its server.json">
      <label htmlFor="server-json" className="block text-sm font-medium">
        server.json
      </label>
      <p id="server-json-hint" className={hintCls}>
        The file as you would send it to <code>POST /v0.1/publish</code>. It is checked against the same rules as you type.
      </p>
      <div className="flex overflow-hidden rounded border border-zinc-300 focus-within:outline-2 focus-within:outline-blue-600 has-[textarea[aria-invalid=true]]:border-red-600 dark:border-zinc-700">
        <div
          ref={gutter}
          aria-hidden="true"
          className="shrink-0 overflow-hidden bg-zinc-50 px-2 py-2 text-right font-mono text-xs leading-5 text-zinc-500 select-none dark:bg-zinc-900"
          data-testid="gutter"
        >
          {Array.from({ length: lineCount }, (_, i) => (
            <div key={i} className={errorLines.has(i + 1) ? "font-bold text-red-700 dark:text-red-400" : ""} data-error-line={errorLines.has(i + 1) || undefined}>
              {errorLines.has(i + 1) ? "● " : ""}
              {i + 1}
            </div>
          ))}
        </div>
        <textarea
          ref={area}
          id="server-json"
          value={text}
          onChange={(e) => onText(e.target.value)}
          onScroll={(e) => {
            if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop;
          }}
          rows={18}
          wrap="off"
          spellCheck={false}
          autoComplete="off"
          aria-invalid={invalid}
          aria-describedby="server-json-hint paste-status paste-errors"
          placeholder={'{\n  "name": "com.acme/weather",\n  "description": "…",\n  "version": "1.0.0"\n}'}
          className="min-h-80 min-w-0 flex-1 resize-y bg-white px-2 py-2 font-mono text-xs leading-5 outline-none dark:bg-zinc-950"
        />
      </div>
      <p id="paste-status" aria-live="polite" className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="paste-status">
        {status}
      </p>
      <ul id="paste-errors" className="space-y-1 text-sm" aria-label="Problems" data-testid="paste-errors">
        {errors.map((e) => (
          <li key={`${e.line} ${e.pointer} ${e.message}`} className="flex flex-wrap items-baseline gap-x-2 text-red-700 dark:text-red-400" data-pointer={e.pointer}>
            <button type="button" className="shrink-0 underline" onClick={() => goTo(e.line)}>
              Line {e.line}
            </button>
            {e.pointer && <code className="break-all">{e.pointer}</code>}
            <span>{e.message}</span>
          </li>
        ))}
      </ul>
      {live.check?.warnings.length && !errors.length ? (
        <ul className="list-disc pl-5 text-sm text-amber-800 dark:text-amber-300" aria-label="Warnings">
          {live.check.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      ) : null}
      <div className="flex flex-wrap gap-2">
        <button type="submit" className={primaryCls} disabled={submitting || !parsed?.ok}>
          {submitting ? "Publishing…" : "Publish"}
        </button>
        <button
          type="button"
          className={buttonCls}
          disabled={!parsed?.ok || typeof parsed.value !== "object" || parsed.value === null || Array.isArray(parsed.value)}
          onClick={() => parsed?.ok && onOpenInForm(parsed.value as Record<string, unknown>)}
        >
          Open in the form
        </button>
      </div>
    </form>
  );
}
