/** Shared ClickHouse server for the tests (filled in by the usage component). */
export async function startSharedClickHouse(): Promise<{ url: string; stop: () => Promise<void> } | undefined> {
  return undefined;
}
