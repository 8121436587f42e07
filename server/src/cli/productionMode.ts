// Imported first by the command line, before graphql loads: graphql-js decides when it loads
// whether to run its development-time checks on every schema type it meets (a sixth to a fifth
// of the CPU of executing a reportMetrics request here), and Apollo Server and Express leave stack
// traces out of responses in production. NODE_ENV set by the caller wins.
process.env.NODE_ENV ??= "production";
