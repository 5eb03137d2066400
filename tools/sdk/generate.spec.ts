import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GENERATED_ENTRIES, SDK_DIR } from './generate';

/** Generated trees are a few dozen files; a deeper or larger one is not what the generator writes. */
const MAX_FILES = 500;

/** Relative path -> contents of every file under `root`/`entries`. */
function snapshot(root: string, entries: string[]): Map<string, string> {
  const files = new Map<string, string>();
  const pending = [...entries];
  while (pending.length > 0) {
    if (files.size > MAX_FILES) throw new Error(`more than ${MAX_FILES} files under ${root}`);
    const relative = pending.pop()!;
    const absolute = path.join(root, relative);
    if (!fs.existsSync(absolute)) continue;
    if (fs.statSync(absolute).isDirectory()) pending.push(...fs.readdirSync(absolute).map((name) => path.join(relative, name)));
    else files.set(relative, fs.readFileSync(absolute, 'utf8'));
  }
  return files;
}

describe('REST SDK in libs/client/src/rest', () => {
  const checkDir = path.resolve(__dirname, '../../tmp', `sdk-check-${process.pid}`);
  afterAll(() => fs.rmSync(checkDir, { recursive: true, force: true }));

  it('is what `npm run sdk` generates from the current gateway (run it after changing a controller or schema)', () => {
    // a child process, as `npm run sdk` runs it (the generator and ESLint load ES modules, which jest's VM cannot)
    execFileSync(process.execPath, ['-r', './tools/scripts/register.js', path.join(__dirname, 'generate.ts'), checkDir], { cwd: path.resolve(__dirname, '../..'), stdio: 'pipe' });
    const fresh = snapshot(checkDir, GENERATED_ENTRIES);
    const committed = snapshot(SDK_DIR, GENERATED_ENTRIES);
    expect(fresh.has('openapi.json')).toBe(true);
    expect([...committed.keys()].sort()).toEqual([...fresh.keys()].sort());
    const stale = [...fresh].filter(([file, text]) => committed.get(file) !== text).map(([file]) => file);
    expect(stale).toEqual([]);
  }, 120_000);
});
