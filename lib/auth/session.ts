import { getServerSession } from "next-auth";
import { connection } from "next/server";
import { DATABASE_DOWN_MESSAGE } from "../db/unavailable";
import { AppError } from "../errors";
import { ANONYMOUS, type Principal } from "./principal";
import { authOptions } from "./options";

/** The signed-in user of the current request as a principal (anonymous when not signed in). */
export async function sessionPrincipal(): Promise<Principal> {
  await connection(); // session reads are per request, never prerendered
  const session = await getServerSession(authOptions());
  if ((session as { databaseUnavailable?: boolean } | null)?.databaseUnavailable) throw new AppError("unavailable", DATABASE_DOWN_MESSAGE);
  const u = session?.user;
  return u ? { kind: "user", userId: u.id, email: u.email, role: u.role } : ANONYMOUS;
}
