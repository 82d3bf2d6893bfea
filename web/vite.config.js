import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const placeholder = '<!--boomerang:head-->';

// The server swaps the placeholder for App Bridge's script, which must run before ours: keep every tag Vite
// injects (entry script, modulepreload, stylesheet) after it, whatever order Vite chose.
function headPlaceholderFirst() {
  return {
    name: 'boomerang-head-placeholder',
    enforce: 'post',
    transformIndexHtml: {
      order: 'post',
      handler(html) {
        if (!html.includes(placeholder)) throw new Error(`index.html must contain ${placeholder}`);
        const withoutIt = html.replace(placeholder, '');
        return withoutIt.replace(/<head>(\s*<meta charset="utf-8"\s*\/?>)?/, (m) => `${m}\n    ${placeholder}`);
      },
    },
  };
}

// Vite empties dist/ on build; the committed dist/.gitkeep keeps `go:embed all:dist` valid in a fresh clone.
function keepGitkeep() {
  return {
    name: 'boomerang-keep-gitkeep',
    closeBundle() {
      writeFileSync(resolve(import.meta.dirname, 'dist/.gitkeep'), '');
    },
  };
}

const apiTarget = process.env.BOOMERANG_API_URL || 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react(), headPlaceholderFirst(), keepGitkeep()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2020',
  },
  server: {
    proxy: {
      '/api': apiTarget,
      '/dev': apiTarget,
    },
  },
});
