import { requestAuth, type RequestAuth } from "../auth/requestAuth";
import type { Principal } from "../auth/principal";
import type { Services } from "../services";
import { Loaders } from "./loaders";

export type Context = {
  services: Services;
  loaders: Loaders;
  /** The caller; the auth middleware checks every root field against it. */
  auth: RequestAuth;
};

export function createContext(services: Services, principal: Principal): Context {
  return { services, loaders: new Loaders(services), auth: requestAuth(services.db, principal) };
}
