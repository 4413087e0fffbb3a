"use client";
/** Small fetch wrapper for our JSON API and better-auth's endpoints. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Our API's precise reason and its values (see server/contract.ts ERROR_REASONS), for the catalog. */
    readonly reason?: string,
    readonly params: Record<string, string | number> = {},
  ) {
    super(message);
  }
}

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: init.method ?? "GET",
      headers: init.body === undefined ? {} : { "content-type": "application/json" },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      credentials: "same-origin",
    });
  } catch {
    throw new ApiError(0, "network", "network error");
  }
  const data = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    // Our API answers { error: { code, message } }; better-auth { code, message }.
    const err = (data.error ?? data) as { code?: string; message?: string; reason?: string; params?: Record<string, string | number> };
    const code = res.status === 429 ? "rate_limited" : (err.code ?? `http_${res.status}`);
    throw new ApiError(res.status, code, err.message ?? res.statusText, err.reason, err.params ?? {});
  }
  return data as T;
}
