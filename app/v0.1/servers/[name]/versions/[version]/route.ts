export { getVersionHandler as GET } from "@/lib/http/registry-reads";

export const dynamic = "force-dynamic";
