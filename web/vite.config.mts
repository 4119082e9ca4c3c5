import { defineConfig } from 'vite';

/** Built by `npm run build:web` (`vite build web`) into web/dist, which Express serves at `/`. */
export default defineConfig({
  base: '/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: { outDir: 'dist', emptyOutDir: true },
});
