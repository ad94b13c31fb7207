// Posts a message to the Teams Workflows webhook. The URL is a secret (it is the credential): it is
// never logged or put in an error, and a failure names only the status or the network error code.
export async function postToTeams(url: string, message: unknown, options: { timeoutMs?: number; fetch?: typeof fetch } = {}): Promise<void> {
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(message),
      redirect: 'error',
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    throw new Error(`the Teams webhook could not be reached (${cause})`);
  }
  await response.body?.cancel();
  if (!response.ok) throw new Error(`the Teams webhook answered ${response.status}`);
}
