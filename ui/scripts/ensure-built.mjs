// Builds the web UI when ui/dist is missing or older than its sources (`npm start` runs this first;
// the browser tests too). `npm run build:ui` builds unconditionally.
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ui = join(dirname(fileURLToPath(import.meta.url)), '..');
const sources = ['src', 'public', 'index.html', 'vite.config.ts', 'tsconfig.json', 'package.json'];

function newest(path) {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return 0; // an optional source that does not exist
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((max, name) => Math.max(max, newest(join(path, name))), stat.mtimeMs);
}

function builtAt() {
  try {
    return statSync(join(ui, 'dist', 'index.html')).mtimeMs;
  } catch {
    return -1;
  }
}

const built = builtAt();
const changed = Math.max(...sources.map((s) => newest(join(ui, s))));
if (built < changed) {
  console.log(built < 0 ? 'web UI not built yet: building it' : 'web UI sources changed: rebuilding it');
  execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build'], { cwd: ui, stdio: 'inherit' });
}
