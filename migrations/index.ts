import type { MigrationInterface } from "typeorm";
import { MetricArchive1795769667468 } from "./1795769667468-MetricArchive";
import { CompareTagsNotes1795749109585 } from "./1795749109585-CompareTagsNotes";
import { AccessControl1795748885842 } from "./1795748885842-AccessControl";
import { Searches1795748212328 } from "./1795748212328-Searches";
import { InitialSchema1795739068046 } from "./1795739068046-InitialSchema";

/** Every migration, in order. A new one is appended here by `npm run migration:generate`. */
export const migrations: Array<new () => MigrationInterface> = [InitialSchema1795739068046, Searches1795748212328, AccessControl1795748885842, CompareTagsNotes1795749109585, MetricArchive1795769667468];
