// The browser chat client: built by `npm run build` (scripts/build.ts passes --outDir) into
// <build folder>/web, which the gateway serves at `/` (infra/gateway, GATEWAY_WEB_ROOT).
// `npx vite --config apps/web/vite.config.mts` serves it with hot reload instead, proxying
// the APIs to a running gateway (WEB_API_ORIGIN, default `npm run up`'s :8080), so the
// browser still talks to one origin.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const api = process.env.WEB_API_ORIGIN ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: here('.'),
  plugins: [react()],
  resolve: {
    // Browser-safe libs only (see .dependency-cruiser.cjs: apps/web takes types from
    // @app/contracts, the friends REST client, the profile GraphQL operations and the
    // messenger socket client, nothing of the servers).
    alias: {
      '@app/friends-client': here('../../libs/friends-client/src/index.ts'),
      '@app/messenger-client': here('../../libs/messenger-client/src/index.ts'),
      '@app/profile-client': here('../../libs/profile-client/src/index.ts'),
    },
  },
  build: {
    outDir: here('../../dist/web'),
    emptyOutDir: true,
    // The gateway's CSP allows scripts from 'self' only; no inline module preload.
    modulePreload: { polyfill: false },
    sourcemap: true,
  },
  server: {
    proxy: {
      '/v1': api,
      '/graphql': { target: api, ws: true },
      '/socket.io': { target: api, ws: true },
    },
  },
});
