// `node -r ./tools/scripts/register.js app.ts`: runs our TypeScript sources without a build step, as
// @swc-node/register does, but without loading the TypeScript compiler. @swc-node/register reads
// tsconfig through `typescript`, whose ~18 MB of live objects then stay in the heap of every
// controller, broker, gateway and client process: every full GC of each of them took ~14 ms longer
// (18 ms instead of 4 for a bare heap), and on a shared machine one process's long GC is a latency
// spike for all of them. Here swc transforms each .ts file with the options of tsconfig.base.json,
// and the output is cached on disk by content, so a restarted process does not compile again.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const swc = require('@swc/core');
const { addHook } = require('pirates');

const ROOT = path.resolve(__dirname, '../..');
const compilerOptions = JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.base.json'), 'utf8')).compilerOptions;
if (compilerOptions.module.toLowerCase() !== 'commonjs') throw new Error('tools/scripts/register.js emits CommonJS: tsconfig.base.json must say "module": "commonjs"');

const target = compilerOptions.target.toLowerCase();
const SWC_OPTIONS = {
  swcrc: false,
  jsc: {
    target,
    parser: { syntax: 'typescript', decorators: Boolean(compilerOptions.experimentalDecorators), dynamicImport: true },
    transform: {
      legacyDecorator: Boolean(compilerOptions.experimentalDecorators),
      decoratorMetadata: Boolean(compilerOptions.emitDecoratorMetadata),
      // TypeScript's default for ES2022 and later targets
      useDefineForClassFields: compilerOptions.useDefineForClassFields ?? target >= 'es2022',
    },
    // Nest and our logs name classes
    keepClassNames: true,
    baseUrl: path.resolve(ROOT, compilerOptions.baseUrl ?? '.'),
    paths: compilerOptions.paths,
  },
  module: { type: 'commonjs', noInterop: !compilerOptions.esModuleInterop },
  sourceMaps: 'inline',
};

const CACHE_DIR = path.join(os.tmpdir(), `tributary-swc-${process.getuid?.() ?? 'user'}`);
const CACHE_SALT = JSON.stringify([swc.version, SWC_OPTIONS]);

function compile(source, filename) {
  const key = crypto.createHash('sha256').update(CACHE_SALT).update(filename).update('\0').update(source).digest('hex');
  const cached = path.join(CACHE_DIR, `${key}.js`);
  try {
    return fs.readFileSync(cached, 'utf8');
  } catch {
    // not compiled yet
  }
  const { code } = swc.transformSync(source, { ...SWC_OPTIONS, filename });
  try {
    fs.mkdirSync(CACHE_DIR, { recursive: true });
    // written aside and renamed: processes starting together never read half a file
    const partial = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(partial, code);
    fs.renameSync(partial, cached);
  } catch {
    // a cache that cannot be written only costs the next start a compile
  }
  return code;
}

// stack traces name the .ts lines (the inline maps above)
process.setSourceMapsEnabled(true);
addHook(compile, { exts: ['.ts'] });
