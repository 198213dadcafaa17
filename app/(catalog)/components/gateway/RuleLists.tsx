"use client";
import type { ReactNode } from "react";
import { buttonCls, FieldMessages, type FieldMessage } from "@/components/form/fields";
import { errorsAt } from "@/lib/ui/field-errors";
import { emptyCache, emptyQuota, emptyRate, type CacheRow, type QuotaRow, type RateRow } from "./model";
import { Group, SelectInput, TextInput } from "./ui";

/** The rule lists of the gateway form: rate limits, quotas and per-tool result caching. */

const PER = [
  ["caller", "per caller"],
  ["server", "whole server"],
] as const;
const ALGORITHMS = [
  ["fixed-window", "fixed window"],
  ["token-bucket", "token bucket"],
] as const;
const PERIODS = [
  ["hour", "hour"],
  ["day", "day"],
  ["month", "month"],
] as const;
const SCOPES = [
  ["private", "private (per caller)"],
  ["public", "public (shared)"],
] as const;

export const TOOLS_LIST_ID = "gw-known-tools";

/** A tool name field offers the server's probed tools. */
const toolInput = { list: TOOLS_LIST_ID, autoComplete: "off", spellCheck: false } as const;

interface ListProps<T> {
  rows: T[];
  onChange: (rows: T[]) => void;
  errors: readonly FieldMessage[];
}

/** Binds a control to one field of a row: its pointer, errors, value and change handler. */
type FieldOf<T> = (name: Exclude<keyof T, "key"> & string) => { pointer: string; errors: FieldMessage[]; value: string; onChange: (v: string) => void };

const rowCls = "grid items-start gap-2 rounded bg-zinc-50 p-2 sm:grid-cols-2 lg:grid-cols-[repeat(5,minmax(0,1fr))_auto] dark:bg-zinc-900";

/** One list of rules at `pointer`: a row of fields per rule with a Remove button, the list's errors, an Add button. */
function RuleList<T extends { key: string } & Record<keyof T, string>>({
  rows,
  onChange,
  errors,
  pointer,
  title,
  description,
  label,
  noun,
  testId,
  messagesId,
  empty,
  fields,
}: ListProps<T> & { pointer: string; title: string; description: string; label: string; noun: string; testId: string; messagesId: string; empty: () => T; fields: (field: FieldOf<T>) => ReactNode }) {
  return (
    <Group title={title} description={description}>
      {rows.length > 0 && (
        <ul className="space-y-2" aria-label={label}>
          {rows.map((row, i) => {
            const field: FieldOf<T> = (name) => ({
              pointer: `${pointer}/${i}/${name}`,
              errors: errorsAt(errors, `${pointer}/${i}/${name}`),
              value: row[name],
              onChange: (v) => onChange(rows.map((r, j) => (j === i ? { ...row, [name]: v } : r))),
            });
            return (
              <li key={row.key} className={rowCls} data-testid={testId}>
                {fields(field)}
                <button type="button" className={`${buttonCls} lg:mt-6`} onClick={() => onChange(rows.filter((_, j) => j !== i))} aria-label={`Remove ${noun} ${i + 1}`}>
                  Remove
                </button>
              </li>
            );
          })}
        </ul>
      )}
      <FieldMessages id={messagesId} errors={errorsAt(errors, pointer)} />
      <button type="button" className={buttonCls} onClick={() => onChange([...rows, empty()])}>
        {`Add ${noun}`}
      </button>
    </Group>
  );
}

export function RateLimits(props: ListProps<RateRow>) {
  return (
    <RuleList
      {...props}
      pointer="/policy/rateLimits"
      title="Rate limits"
      description="At most N requests per window. Leave the tool empty to count every request."
      label="Rate limits"
      noun="rate limit"
      testId="rate-limit-row"
      messagesId="gw-rate-list"
      empty={emptyRate}
      fields={(field) => (
        <>
          <SelectInput {...field("per")} label="Counted" options={PER} />
          <TextInput {...field("tool")} label="Tool (optional)" {...toolInput} placeholder="every tool" />
          <TextInput {...field("limit")} label="Requests" inputMode="numeric" />
          <TextInput {...field("windowSec")} label="Window (s)" inputMode="numeric" />
          <SelectInput {...field("algorithm")} label="Algorithm" options={ALGORITHMS} />
        </>
      )}
    />
  );
}

export function Quotas(props: ListProps<QuotaRow>) {
  return (
    <RuleList
      {...props}
      pointer="/policy/quotas"
      title="Quotas"
      description="At most N requests per calendar hour, day or month (UTC)."
      label="Quotas"
      noun="quota"
      testId="quota-row"
      messagesId="gw-quota-list"
      empty={emptyQuota}
      fields={(field) => (
        <>
          <SelectInput {...field("per")} label="Counted" options={PER} />
          <TextInput {...field("tool")} label="Tool (optional)" {...toolInput} placeholder="every tool" />
          <TextInput {...field("limit")} label="Requests" inputMode="numeric" />
          <SelectInput {...field("period")} label="Per" options={PERIODS} />
          <div className="hidden lg:block" />
        </>
      )}
    />
  );
}

export function CacheRules(props: ListProps<CacheRow>) {
  return (
    <RuleList
      {...props}
      pointer="/policy/cache"
      title="Result cache"
      description="Cache the results of read-only tools. A result's own cache hints can only shorten the time; private results are kept per caller."
      label="Cache rules"
      noun="cache rule"
      testId="cache-row"
      messagesId="gw-cache-list"
      empty={emptyCache}
      fields={(field) => (
        <>
          <TextInput {...field("tool")} label="Tool" {...toolInput} placeholder="tool name" />
          <TextInput {...field("ttlSec")} label="Keep for (s)" inputMode="numeric" />
          <SelectInput {...field("scope")} label="Shared" options={SCOPES} />
          <div className="hidden lg:col-span-2 lg:block" />
        </>
      )}
    />
  );
}
