// Bundles the dashboard's JS and CSS into the directory Maven packs into the jar.
import * as esbuild from 'esbuild';
import { mkdirSync } from 'node:fs';

const out = process.env.WHARF_ASSETS_OUT || '../target/classes/static/assets';
mkdirSync(out, { recursive: true });

await esbuild.build({
  // container: the container page's own bundle (logs, uPlot charts, xterm.js terminal) and its CSS
  entryPoints: { app: 'src/app.js', style: 'src/app.css', container: 'src/container.js' },
  bundle: true,
  minify: true,
  sourcemap: true,
  target: ['es2020'],
  outdir: out,
  logLevel: 'info',
});
