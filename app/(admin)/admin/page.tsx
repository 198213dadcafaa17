import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { sessionPrincipal } from "@/lib/auth/session";
import { listUsers } from "@/lib/auth/users";

export const metadata: Metadata = { title: "Admin" };

const fmt = (d: Date | null) => (d ? d.toISOString().slice(0, 16).replace("T", " ") : "never");

export default async function AdminPage() {
  const p = await sessionPrincipal();
  if (p.kind !== "user") redirect("/signin?callbackUrl=/admin");
  if (p.role !== "ADMIN")
    return <p role="alert">Only org admins can open the admin area.</p>;
  const users = await listUsers();
  return (
    <section className="space-y-4">
      <h1 className="text-2xl font-semibold">Admin</h1>
      <h2 className="text-lg font-medium">Users</h2>
      <div className="overflow-x-auto">
        <table className="w-full text-left text-sm">
          <thead className="border-b border-zinc-200 dark:border-zinc-800">
            <tr>
              <th className="py-2 pr-4">Email</th>
              <th className="py-2 pr-4">Role</th>
              <th className="py-2 pr-4">Created</th>
              <th className="py-2 pr-4">Last sign-in</th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id} className="border-b border-zinc-100 dark:border-zinc-900">
                <td className="py-2 pr-4">{u.email}</td>
                <td className="py-2 pr-4">{u.role === "ADMIN" ? "org admin" : "member"}{u.disabled ? " (disabled)" : ""}</td>
                <td className="py-2 pr-4">{fmt(u.createdAt)}</td>
                <td className="py-2 pr-4">{fmt(u.lastLoginAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="text-sm text-zinc-500">Add local accounts with <code>npx toolshed user create --email E --password P --role admin|member</code>.</p>
    </section>
  );
}
