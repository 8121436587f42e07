import { GraphQLDateTime, GraphQLJSON } from "graphql-scalars";

/** The contract's `DateTime` (ISO-8601 strings) and `JSON` scalars. */
export const DateTimeScalar = GraphQLDateTime;
export const JSONScalar = GraphQLJSON;
