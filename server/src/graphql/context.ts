import type { Services } from "../services";
import { Loaders } from "./loaders";

export type Context = {
  services: Services;
  loaders: Loaders;
};

export function createContext(services: Services): Context {
  return { services, loaders: new Loaders(services) };
}
