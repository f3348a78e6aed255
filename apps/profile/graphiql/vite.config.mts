// GraphiQL for profile's GET /graphql, bundled from npm: `npm run build` (scripts/build.ts)
// writes it into <build folder>/apps/profile/public/graphiql, beside the compiled service,
// which serves index.html as the page and assets/ under /graphql/assets/.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('.'),
  // The page lives at /graphql (no trailing slash), so relative URLs would resolve to the
  // web client's /assets/ behind the gateway: every asset is addressed under /graphql/.
  base: '/graphql/',
  plugins: [react()],
  // No dev server use: the page only makes sense served by profile.
  publicDir: false,
  build: {
    outDir: here('../../../dist/apps/profile/public/graphiql'),
    emptyOutDir: true,
    // script-src 'self' only: no inline module-preload polyfill.
    modulePreload: { polyfill: false },
    // Monaco and the GraphQL language service are large by nature; the page is a developer
    // tool served from the same machine.
    chunkSizeWarningLimit: 6000,
    reportCompressedSize: false,
    rolldownOptions: {
      onwarn(warning, warn) {
        // GraphiQL's modules start with React Compiler's "use no memo", which only that
        // compiler reads; bundling drops it harmlessly.
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  worker: { format: 'es' },
});
