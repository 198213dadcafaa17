"use client";
import { useRouter } from "next/navigation";
import type { FormEvent } from "react";
import { DEFAULT_RANGE, RANGES } from "./ranges";

const inputCls = "w-full rounded border border-zinc-300 bg-white px-3 py-2 text-sm dark:border-zinc-700 dark:bg-zinc-900";

/** Server and range pickers: a plain GET form to /usage; with JavaScript a change applies at once. */
export function UsageFilters({ servers, server, range }: { servers: { name: string; calls: number }[]; server: string; range: string }) {
  const router = useRouter();
  function go(form: HTMLFormElement) {
    const data = new FormData(form);
    const q = new URLSearchParams();
    const s = String(data.get("server") ?? "");
    const r = String(data.get("range") ?? DEFAULT_RANGE);
    if (s) q.set("server", s);
    if (r !== DEFAULT_RANGE) q.set("range", r);
    const qs = q.toString();
    router.push(qs ? `/usage?${qs}` : "/usage");
  }
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    go(e.currentTarget);
  };
  const options = server && !servers.some((s) => s.name === server) ? [{ name: server, calls: -1 }, ...servers] : servers;
  return (
    <form key={`${server}|${range}`} action="/usage" method="get" onSubmit={submit} aria-label="Choose server and range" className="flex flex-wrap items-end gap-3">
      <div className="w-full min-w-0 sm:w-auto sm:max-w-md sm:flex-1">
        <label htmlFor="usage-server" className="mb-1 block text-sm font-medium">
          Server
        </label>
        <select id="usage-server" name="server" defaultValue={server} onChange={(e) => go(e.currentTarget.form!)} className={inputCls}>
          <option value="">All servers you can see</option>
          {options.map((s) => (
            <option key={s.name} value={s.name}>
              {s.calls >= 0 ? `${s.name} (${s.calls.toLocaleString("en-US")})` : s.name}
            </option>
          ))}
        </select>
      </div>
      <div className="min-w-0">
        <label htmlFor="usage-range" className="mb-1 block text-sm font-medium">
          Range
        </label>
        <select id="usage-range" name="range" defaultValue={range} onChange={(e) => go(e.currentTarget.form!)} className={inputCls}>
          {Object.entries(RANGES).map(([value, r]) => (
            <option key={value} value={value}>
              {r.label}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" className="rounded border border-zinc-300 px-3 py-2 text-sm hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-blue-600 dark:border-zinc-700 dark:hover:bg-zinc-800">
        Show
      </button>
    </form>
  );
}
