export interface HttpAnswer {
  /** 0 when no HTTP answer came (connection refused or reset, timeout). */
  status: number;
  /** The JSON body; `{}` when there is none. */
  body: Record<string, unknown>;
}

/**
 * A JSON call to a service's REST API. HTTP errors resolve with their status and body;
 * a call that gets no HTTP answer at all resolves with status 0 — under faults that is
 * an outcome to count, not an exception.
 */
export async function call(
  baseUrl: string,
  token: string,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
  timeoutMs = 10_000,
): Promise<HttpAnswer> {
  try {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
  } catch {
    return { status: 0, body: {} };
  }
}
