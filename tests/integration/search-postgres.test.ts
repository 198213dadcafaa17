import { PostgresSearchIndex } from "@/lib/search/postgres";
import { describeSearchContract } from "../support/search-contract";

/** The adapter-agnostic search contract on the Postgres adapter (this file's own fresh database). */
describeSearchContract("postgres", async () => new PostgresSearchIndex());
