import type { IncomingMessage, ServerResponse } from "node:http";
import { HeaderMap, type ApolloServer } from "@apollo/server";
import { bearerKey } from "../auth/bearer";
import type { Principal } from "../auth/principal";
import { createContext, type Context } from "../graphql/context";
import {
  INVALID_JSON,
  PAYLOAD_TOO_LARGE,
  batchRefusal,
  refusalBody,
  type HttpLimits,
  type Refusal,
  type RequestRateLimits,
} from "../graphql/limits/httpGuards";
import type { Logger } from "../logging";
import type { Services } from "../services";

export interface GraphqlPostOptions {
  apollo: ApolloServer<Context>;
  services: Services;
  logger: Logger;
  rateLimits: RequestRateLimits;
  limits?: HttpLimits;
  /** Largest request body accepted, in bytes. */
  bodyLimitBytes: number;
}

/**
 * POST /graphql with a JSON body, the path every API call takes, served straight from Node's
 * request without express: reading the body, the guards (caller, batch size, rate) and Apollo,
 * nothing else. Express's routing, body parser and response helpers cost about a tenth of a
 * request's CPU. Answers false, without touching the request, for what it leaves to express: other
 * paths and methods, and bodies that are not plain UTF-8 JSON (another charset, a content encoding).
 */
export function graphqlPostHandler(path: string, options: GraphqlPostOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  const maxBatch = options.limits?.maxBatch ?? 10;
  return (req, res) => {
    if (req.method !== "POST" || !isPath(req.url, path) || !isPlainJson(req)) return false;
    void serve(req, res, options, maxBatch).catch((error: Error) => {
      options.logger.error("POST /graphql failed outside GraphQL", { error: error.message });
      if (!res.headersSent) send(res, 500, refusalBody({ status: 500, code: "INTERNAL_SERVER_ERROR", message: "internal error" }));
      else res.destroy();
    });
    return true;
  };
}

async function serve(req: IncomingMessage, res: ServerResponse, options: GraphqlPostOptions, maxBatch: number): Promise<void> {
  const text = await readBody(req, options.bodyLimitBytes);
  if (text === null) {
    // The rest of the body is not read: the connection closes once the answer is out.
    res.setHeader("connection", "close");
    return refuse(res, PAYLOAD_TOO_LARGE);
  }
  const body = parseJsonBody(text);
  if (body === INVALID) return refuse(res, INVALID_JSON);
  const principal: Principal = await options.services.auth.authenticate(bearerKey(req.headers.authorization));
  const refusal =
    batchRefusal(body, maxBatch) ??
    options.rateLimits.refusal(principal, req.socket.remoteAddress ?? "unknown", Array.isArray(body) ? body.length : 1);
  if (refusal) return refuse(res, refusal);

  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(", ") : value);
  }
  const query = req.url!.indexOf("?");
  const answer = await options.apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: "POST", headers, search: query < 0 ? "" : req.url!.slice(query), body },
    context: async () => createContext(options.services, principal),
  });
  for (const [key, value] of answer.headers) res.setHeader(key, value);
  res.statusCode = answer.status ?? 200;
  if (answer.body.kind === "complete") {
    res.end(answer.body.string);
    return;
  }
  for await (const chunk of answer.body.asyncIterator) res.write(chunk);
  res.end();
}

function isPath(url: string | undefined, path: string): boolean {
  if (!url?.startsWith(path)) return false;
  const next = url.charCodeAt(path.length);
  return Number.isNaN(next) || next === 63 /* ? */;
}

/** application/json (or +json) in UTF-8, not compressed: what express.json would decode the same way. */
function isPlainJson(req: IncomingMessage): boolean {
  const type = req.headers["content-type"];
  if (!type || req.headers["content-encoding"]) return false;
  const [mediaType, ...parameters] = type.toLowerCase().split(";");
  if (mediaType.trim() !== "application/json") return false;
  return parameters.every((p) => {
    const [name, value] = p.split("=").map((x) => x.trim());
    return name !== "charset" || value === "utf-8" || value === '"utf-8"';
  });
}

/** The body as text, or null once it is longer than `limit` bytes. */
function readBody(req: IncomingMessage, limit: number): Promise<string | null> {
  const declared = Number(req.headers["content-length"]);
  if (declared > limit) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const onData = (chunk: Buffer) => {
      length += chunk.length;
      if (length > limit) {
        req.off("data", onData);
        req.pause();
        resolve(null);
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.once("end", () => resolve(chunks.length === 1 ? chunks[0].toString("utf8") : Buffer.concat(chunks, length).toString("utf8")));
    req.once("error", reject);
  });
}

const INVALID = Symbol("invalid JSON");

/** As express.json parses: an empty body is {}, and only an object or an array is accepted. */
function parseJsonBody(text: string): unknown {
  const first = text.trimStart()[0];
  if (first === undefined) return {};
  if (first !== "{" && first !== "[") return INVALID;
  try {
    return JSON.parse(text);
  } catch {
    return INVALID;
  }
}

function refuse(res: ServerResponse, refusal: Refusal): void {
  if (refusal.retryAfter !== undefined) res.setHeader("retry-after", String(refusal.retryAfter));
  send(res, refusal.status, refusalBody(refusal));
}

function send(res: ServerResponse, status: number, json: string): void {
  res.statusCode = status;
  res.setHeader("content-type", "application/json; charset=utf-8");
  res.end(json);
}
