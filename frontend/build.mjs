// Bundles the dashboard's JS and CSS into the directory Maven packs into the jar.
import * as esbuild from 'esbuild';
import { mkdirSync } from 'node:fs';

const out = process.env.WHARF_ASSETS_OUT || '../target/classes/static/assets';
mkdirSync(out, { recursive: true });

await esbuild.build({
  entryPoints: { app: 'src/app.js', style: 'src/app.css' },
  bundle: true,
  minify: true,
  sourcemap: true,
  target: ['es2020'],
  outdir: out,
  logLevel: 'info',
});
