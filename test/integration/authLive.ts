import WebSocket from "ws";

/** A raw graphql-transport-ws connection, to see exactly what the server answers and how it closes. */
export interface LiveSocket {
  /** Resolves with the close code once the server (or we) closed the socket. */
  closed: Promise<number>;
  /** "ack" once the connection is accepted; the close code if it is refused first. */
  accepted: Promise<"ack" | number>;
  /** Messages of subscription `id`, in order. */
  messages(id: string): Array<{ type: string; payload?: any }>;
  subscribe(id: string, query: string, variables?: Record<string, unknown>): void;
  /** Resolves when subscription `id` has a message that `match` accepts. */
  waitFor(id: string, match: (m: { type: string; payload?: any }) => boolean, timeoutMs?: number): Promise<{ type: string; payload?: any }>;
  close(): void;
}

export function openLive(wsUrl: string, connectionParams?: Record<string, unknown>): LiveSocket {
  const socket = new WebSocket(wsUrl, "graphql-transport-ws");
  const byId = new Map<string, Array<{ type: string; payload?: any }>>();
  const listeners = new Set<() => void>();
  let resolveAccepted!: (v: "ack" | number) => void;
  const accepted = new Promise<"ack" | number>((r) => (resolveAccepted = r));
  const closed = new Promise<number>((resolve) =>
    socket.on("close", (code) => {
      resolveAccepted(code);
      resolve(code);
      for (const l of listeners) l();
    }),
  );
  socket.on("open", () => socket.send(JSON.stringify({ type: "connection_init", payload: connectionParams ?? {} })));
  socket.on("message", (data) => {
    const message = JSON.parse(String(data));
    if (message.type === "connection_ack") resolveAccepted("ack");
    if (message.id) {
      if (!byId.has(message.id)) byId.set(message.id, []);
      byId.get(message.id)!.push(message);
    }
    for (const l of listeners) l();
  });
  socket.on("error", () => undefined);
  return {
    closed,
    accepted,
    messages: (id) => byId.get(id) ?? [],
    subscribe(id, query, variables) {
      socket.send(JSON.stringify({ id, type: "subscribe", payload: { query, variables } }));
    },
    waitFor(id, match, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = (byId.get(id) ?? []).find(match);
          if (found) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve(found);
          } else if (socket.readyState === WebSocket.CLOSED) {
            listeners.delete(check);
            clearTimeout(timer);
            reject(new Error(`socket closed before a matching message for ${id}: ${JSON.stringify(byId.get(id) ?? [])}`));
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no matching message for ${id} in ${timeoutMs} ms: ${JSON.stringify(byId.get(id) ?? [])}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
    close: () => socket.close(),
  };
}
