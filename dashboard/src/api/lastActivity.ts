import { query } from "./connection";

/**
 * When each study last saw a trial start or finish, for the studies list, in one request.
 *
 * The API has no "last activity" field yet, so this reads each study's newest trial (the highest
 * number). Trial cursors are "trial:<number>" in base64url, and numbers have no gaps, so the page
 * after number total-2 holds exactly the newest trial. Replace with a Study field once the API
 * offers one.
 */
export async function lastActivity(studies: { id: string; total: number; createdAt: string }[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const withTrials = studies.filter((s) => s.total > 0);
  for (const s of studies) out.set(s.id, s.createdAt);
  if (!withTrials.length) return out;
  const fields = withTrials.map(
    (s, i) =>
      `s${i}: study(id: ${JSON.stringify(s.id)}) { trials(first: 1, after: ${JSON.stringify(s.total >= 2 ? trialCursor(s.total - 2) : null)}) ` +
      `{ edges { node { startedAt completedAt } } } }`,
  );
  type Node = { startedAt: string | null; completedAt: string | null };
  const data = await query<Record<string, { trials: { edges: { node: Node }[] } } | null>>(`query DashboardLastActivity { ${fields.join("\n")} }`);
  withTrials.forEach((s, i) => {
    const node = data[`s${i}`]?.trials.edges[0]?.node;
    const latest = [s.createdAt, node?.startedAt, node?.completedAt].filter((t): t is string => !!t).sort().at(-1);
    if (latest) out.set(s.id, latest);
  });
  return out;
}

function trialCursor(number: number): string {
  return btoa(`trial:${number}`).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
