/** Shared Postgres server for the tests (filled in by the ledger component). */
export async function startSharedPostgres(): Promise<{ url: string; stop: () => Promise<void> } | undefined> {
  return undefined;
}
