import { defineConfig } from 'vite';

/** Built by `npm run build:web` (`vite build web`) into web/dist, which Express serves at `/`. */
export default defineConfig({
  base: '/',
  oxc: { jsx: { runtime: 'automatic' } },
  // One bundle for a one-page app (React, charts, the contract's zod schemas): ~160 kB gzipped.
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 800 },
});
