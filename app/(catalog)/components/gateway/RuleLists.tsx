"use client";
import { emptyCache, emptyQuota, emptyRate, errorsAt, type CacheRow, type FieldProblem, type QuotaRow, type RateRow } from "./model";
import { buttonCls, Group, Messages, SelectInput, TextInput } from "./ui";

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

function replaceAt<T>(rows: T[], i: number, next: T): T[] {
  return rows.map((r, j) => (j === i ? next : r));
}

interface ListProps<T> {
  rows: T[];
  onChange: (rows: T[]) => void;
  errors: readonly FieldProblem[];
}

const rowCls = "grid items-start gap-2 rounded bg-zinc-50 p-2 sm:grid-cols-2 lg:grid-cols-[repeat(5,minmax(0,1fr))_auto] dark:bg-zinc-900";

function RemoveButton({ label, onClick }: { label: string; onClick: () => void }) {
  return (
    <button type="button" className={`${buttonCls} lg:mt-6`} onClick={onClick} aria-label={label}>
      Remove
    </button>
  );
}

export function RateLimits({ rows, onChange, errors }: ListProps<RateRow>) {
  const set = (i: number, r: RateRow) => onChange(replaceAt(rows, i, r));
  return (
    <Group title="Rate limits" description="At most N requests per window. Leave the tool empty to count every request.">
      {rows.length > 0 && (
        <ul className="space-y-2" aria-label="Rate limits">
          {rows.map((r, i) => {
            const p = `/policy/rateLimits/${i}`;
            return (
              <li key={r.key} className={rowCls} data-testid="rate-limit-row">
                <SelectInput pointer={`${p}/per`} label="Counted" value={r.per} options={PER} errors={errorsAt(errors, `${p}/per`)} onChange={(per) => set(i, { ...r, per })} />
                <TextInput pointer={`${p}/tool`} label="Tool (optional)" value={r.tool} list={TOOLS_LIST_ID} autoComplete="off" spellCheck={false} placeholder="every tool" errors={errorsAt(errors, `${p}/tool`)} onChange={(tool) => set(i, { ...r, tool })} />
                <TextInput pointer={`${p}/limit`} label="Requests" inputMode="numeric" value={r.limit} errors={errorsAt(errors, `${p}/limit`)} onChange={(limit) => set(i, { ...r, limit })} />
                <TextInput pointer={`${p}/windowSec`} label="Window (s)" inputMode="numeric" value={r.windowSec} errors={errorsAt(errors, `${p}/windowSec`)} onChange={(windowSec) => set(i, { ...r, windowSec })} />
                <SelectInput pointer={`${p}/algorithm`} label="Algorithm" value={r.algorithm} options={ALGORITHMS} errors={errorsAt(errors, `${p}/algorithm`)} onChange={(algorithm) => set(i, { ...r, algorithm })} />
                <RemoveButton label={`Remove rate limit ${i + 1}`} onClick={() => onChange(rows.filter((_, j) => j !== i))} />
              </li>
            );
          })}
        </ul>
      )}
      <Messages id="gw-rate-list" errors={errorsAt(errors, "/policy/rateLimits")} />
      <button type="button" className={buttonCls} onClick={() => onChange([...rows, emptyRate()])}>
        Add rate limit
      </button>
    </Group>
  );
}

export function Quotas({ rows, onChange, errors }: ListProps<QuotaRow>) {
  const set = (i: number, q: QuotaRow) => onChange(replaceAt(rows, i, q));
  return (
    <Group title="Quotas" description="At most N requests per calendar hour, day or month (UTC).">
      {rows.length > 0 && (
        <ul className="space-y-2" aria-label="Quotas">
          {rows.map((q, i) => {
            const p = `/policy/quotas/${i}`;
            return (
              <li key={q.key} className={rowCls} data-testid="quota-row">
                <SelectInput pointer={`${p}/per`} label="Counted" value={q.per} options={PER} errors={errorsAt(errors, `${p}/per`)} onChange={(per) => set(i, { ...q, per })} />
                <TextInput pointer={`${p}/tool`} label="Tool (optional)" value={q.tool} list={TOOLS_LIST_ID} autoComplete="off" spellCheck={false} placeholder="every tool" errors={errorsAt(errors, `${p}/tool`)} onChange={(tool) => set(i, { ...q, tool })} />
                <TextInput pointer={`${p}/limit`} label="Requests" inputMode="numeric" value={q.limit} errors={errorsAt(errors, `${p}/limit`)} onChange={(limit) => set(i, { ...q, limit })} />
                <SelectInput pointer={`${p}/period`} label="Per" value={q.period} options={PERIODS} errors={errorsAt(errors, `${p}/period`)} onChange={(period) => set(i, { ...q, period })} />
                <div className="hidden lg:block" />
                <RemoveButton label={`Remove quota ${i + 1}`} onClick={() => onChange(rows.filter((_, j) => j !== i))} />
              </li>
            );
          })}
        </ul>
      )}
      <Messages id="gw-quota-list" errors={errorsAt(errors, "/policy/quotas")} />
      <button type="button" className={buttonCls} onClick={() => onChange([...rows, emptyQuota()])}>
        Add quota
      </button>
    </Group>
  );
}

export function CacheRules({ rows, onChange, errors }: ListProps<CacheRow>) {
  const set = (i: number, c: CacheRow) => onChange(replaceAt(rows, i, c));
  return (
    <Group
      title="Result cache"
      description="Cache the results of read-only tools. A result's own cache hints can only shorten the time; private results are kept per caller."
    >
      {rows.length > 0 && (
        <ul className="space-y-2" aria-label="Cache rules">
          {rows.map((c, i) => {
            const p = `/policy/cache/${i}`;
            return (
              <li key={c.key} className={rowCls} data-testid="cache-row">
                <TextInput pointer={`${p}/tool`} label="Tool" value={c.tool} list={TOOLS_LIST_ID} autoComplete="off" spellCheck={false} placeholder="tool name" errors={errorsAt(errors, `${p}/tool`)} onChange={(tool) => set(i, { ...c, tool })} />
                <TextInput pointer={`${p}/ttlSec`} label="Keep for (s)" inputMode="numeric" value={c.ttlSec} errors={errorsAt(errors, `${p}/ttlSec`)} onChange={(ttlSec) => set(i, { ...c, ttlSec })} />
                <SelectInput pointer={`${p}/scope`} label="Shared" value={c.scope} options={SCOPES} errors={errorsAt(errors, `${p}/scope`)} onChange={(scope) => set(i, { ...c, scope })} />
                <div className="hidden lg:col-span-2 lg:block" />
                <RemoveButton label={`Remove cache rule ${i + 1}`} onClick={() => onChange(rows.filter((_, j) => j !== i))} />
              </li>
            );
          })}
        </ul>
      )}
      <Messages id="gw-cache-list" errors={errorsAt(errors, "/policy/cache")} />
      <button type="button" className={buttonCls} onClick={() => onChange([...rows, emptyCache()])}>
        Add cache rule
      </button>
    </Group>
  );
}
