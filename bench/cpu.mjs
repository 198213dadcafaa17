// CPU accounting from /proc for the benchmarks (Linux only; zeros elsewhere).
import { existsSync, readdirSync, readFileSync } from "node:fs";

/** CPU seconds (user + system, including reaped children) used so far by a process and all its descendants. */
export function treeCpuSeconds(rootPid) {
  if (!existsSync("/proc")) return 0;
  const stats = new Map();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = readFileSync(`/proc/${d}/stat`, "utf8");
      const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
      stats.set(Number(d), { ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100 });
    } catch {
      /* exited */
    }
  }
  const inTree = (pid) => {
    for (let p = pid; p > 1; p = stats.get(p)?.ppid ?? 0) if (p === rootPid) return true;
    return false;
  };
  let total = 0;
  for (const [pid, s] of stats) if (inTree(pid)) total += s.cpu;
  return total;
}

/** Busy CPU seconds of the whole machine so far (all cores). */
export function machineBusySeconds() {
  if (!existsSync("/proc/stat")) return 0;
  const [user, nice, system, , , irq, softirq, steal] = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1, 9).map(Number);
  return (user + nice + system + irq + softirq + steal) / 100;
}
