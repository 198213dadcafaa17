import { getServerSession } from "next-auth";
import { connection } from "next/server";
import { ANONYMOUS, type Principal } from "./principal";
import { authOptions } from "./options";

/** The signed-in user of the current request as a principal (anonymous when not signed in). */
export async function sessionPrincipal(): Promise<Principal> {
  await connection(); // session reads are per request, never prerendered
  const session = await getServerSession(authOptions());
  const u = session?.user;
  return u ? { kind: "user", userId: u.id, email: u.email, role: u.role } : ANONYMOUS;
}
