/**
 * The API key a caller sent: `authorization: Bearer <key>` over HTTP, the same in a WebSocket's
 * connectionParams (`authorization` or `Authorization`, or `apiKey`). Undefined when none was sent.
 */
export function bearerKey(authorization: unknown): string | undefined {
  if (typeof authorization !== "string") return undefined;
  const text = authorization.trim();
  if (!text) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(text);
  return match ? match[1] : text;
}

export function keyFromConnectionParams(params: Record<string, unknown>): string | undefined {
  const header = params.authorization ?? params.Authorization;
  if (header !== undefined) return bearerKey(header);
  return typeof params.apiKey === "string" ? params.apiKey.trim() || undefined : undefined;
}
