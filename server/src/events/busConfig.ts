import { EventBusKind } from "./eventBus";

/**
 * Which bus a server uses. GRAPHTUNE_EVENT_BUS=postgres|memory decides; unset, a server on an
 * external database (DATABASE_URL, where replicas may share it) uses PostgreSQL, and a server on
 * its own embedded database (one process by construction) uses the in-process bus.
 */
export function eventBusKind(env: NodeJS.ProcessEnv, embeddedDatabase: boolean): EventBusKind {
  const value = env.GRAPHTUNE_EVENT_BUS?.trim().toLowerCase();
  if (!value) return embeddedDatabase ? EventBusKind.Memory : EventBusKind.Postgres;
  if (value === EventBusKind.Memory || value === EventBusKind.Postgres) return value;
  throw new Error(`GRAPHTUNE_EVENT_BUS must be "postgres" or "memory", got "${value}".`);
}
