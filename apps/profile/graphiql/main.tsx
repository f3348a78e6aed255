// The GraphQL IDE profile serves at GET /graphql outside production: GraphiQL with every
// script, style, font and worker bundled from npm at build time, so it needs nothing but
// this origin (the page's Content-Security-Policy: src/graphql/graphql-ide.csp.ts).
import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

// The page is served at the endpoint itself, so its own URL is the API's — directly on
// profile's port or through the gateway alike. Subscriptions go to the same path over
// graphql-ws; the headers the user types travel in its connection_init payload.
const endpoint = `${location.origin}${location.pathname}`;
const subscriptionUrl = endpoint.replace(/^http/, 'ws');

const fetcher = createGraphiQLFetcher({
  url: endpoint,
  subscriptionUrl,
  // profile answers plain JSON (no @defer/@stream): no multipart request needed.
  enableIncrementalDelivery: false,
});

const defaultQuery = `# profile's GraphQL API. Sign in (POST /v1/auth/login) and put the access token in
# the Headers tab below: { "Authorization": "Bearer <accessToken>" }
# Run with Ctrl-Enter; subscriptions (profileUpdated) run over graphql-ws.

query Me {
  me {
    id
    nickname
    displayName
    friendsCount
  }
}
`;

const root = document.getElementById('graphiql');
if (!root) throw new Error('no #graphiql element on the page');
createRoot(root).render(
  <StrictMode>
    <GraphiQL
      fetcher={fetcher}
      defaultQuery={defaultQuery}
      defaultHeaders={'{\n  "Authorization": "Bearer "\n}'}
      defaultEditorToolsVisibility="headers"
      // Access tokens stay in memory: never written to localStorage.
      shouldPersistHeaders={false}
    />
  </StrictMode>,
);
