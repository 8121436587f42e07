import path from "node:path";
import express, { type Router } from "express";

/**
 * GraphiQL at GET /graphql for browsers, served from local npm packages (no CDN), so the IDE
 * works offline and behind firewalls. API clients posting to /graphql are not affected.
 */
export function graphiqlRouter(graphqlPath: string): Router {
  const router = express.Router();
  const pkg = (name: string) => path.dirname(require.resolve(`${name}/package.json`));
  router.use("/_ide/graphiql", express.static(pkg("graphiql"), { immutable: true, maxAge: "1d" }));
  router.use("/_ide/react", express.static(path.join(pkg("react"), "umd"), { immutable: true, maxAge: "1d" }));
  router.use("/_ide/react-dom", express.static(path.join(pkg("react-dom"), "umd"), { immutable: true, maxAge: "1d" }));
  router.get(graphqlPath, (req, res, next) => {
    const wantsHtml = req.accepts(["application/json", "application/graphql-response+json", "text/html"]) === "text/html";
    if (!wantsHtml || req.query.query) return next();
    res.type("html").send(page(graphqlPath));
  });
  return router;
}

const DEFAULT_QUERY = `# graphtune: studies, trials and metrics. Ctrl-Enter runs; Ctrl-Space completes.
query Studies {
  studies(first: 20) {
    totalCount
    edges { node { id name directions trialCount bestTrial { number values params } } }
  }
}
`;

function page(graphqlPath: string): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <title>graphtune GraphQL IDE</title>
  <link rel="stylesheet" href="/_ide/graphiql/graphiql.min.css" />
  <style>html, body, #ide { height: 100%; margin: 0; }</style>
</head>
<body>
  <div id="ide">Loading the GraphQL IDE...</div>
  <script src="/_ide/react/react.production.min.js"></script>
  <script src="/_ide/react-dom/react-dom.production.min.js"></script>
  <script src="/_ide/graphiql/graphiql.min.js"></script>
  <script>
    const fetcher = GraphiQL.createFetcher({ url: ${JSON.stringify(graphqlPath)} });
    const defaultQuery = ${JSON.stringify(DEFAULT_QUERY)};
    ReactDOM.createRoot(document.getElementById("ide")).render(
      React.createElement(GraphiQL, { fetcher, defaultQuery, defaultEditorToolsVisibility: true })
    );
  </script>
</body>
</html>`;
}
