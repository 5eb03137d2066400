// Builds libs/client as the npm package @tributary/client in dist/libs/client (`npx nx build client`):
// tsc (CommonJS + declarations) of the client's entries (index.ts, and browser.ts for
// '@tributary/client/browser') and the libs/protocol files they reach, with the workspace's
// '@tributary/protocol' imports rewritten to relative paths (the protocol ships inside the
// package, it is not published on its own); for each entry of the exports map an ESM file
// re-exporting the CommonJS one by name (one module instance for require and import); the manifest
// libs/client/package.json, checked against what the output really requires; docs/client.md as
// the README.
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(__dirname, '../..');
const LIBS = path.join(ROOT, 'libs');
const ENTRIES = [path.join(LIBS, 'client/src/index.ts'), path.join(LIBS, 'client/src/browser.ts')];
export const CLIENT_PACKAGE_DIR = path.join(ROOT, 'dist/libs/client');
const LIB_DIR = path.join(CLIENT_PACKAGE_DIR, 'lib');

/** One subpath of the exports map ('.', './browser'): the files each condition resolves to. */
interface ExportTarget {
  types: string;
  import: string;
  require: string;
}

interface Manifest {
  name: string;
  main: string;
  types: string;
  exports: Record<string, ExportTarget | string>;
  dependencies: Record<string, string>;
  [field: string]: unknown;
}

function fail(message: string): never {
  throw new Error(`build client package: ${message}`);
}

/** '@tributary/x' -> the source file it maps to, from tsconfig.base.json's paths. */
function workspaceAliases(options: ts.CompilerOptions): Map<string, string> {
  const aliases = new Map<string, string>();
  for (const [alias, targets] of Object.entries(options.paths ?? {})) aliases.set(alias, path.resolve(ROOT, targets[0]));
  return aliases;
}

/** Rewrites workspace aliases in import/export/require/import() specifiers and import types to relative paths. */
function aliasRewriter(aliases: Map<string, string>): ts.TransformerFactory<ts.SourceFile> {
  return (context) => (root) => {
    const from = path.dirname(root.fileName);
    const rewrite = (specifier: string): string | undefined => {
      const target = aliases.get(specifier);
      if (!target) return undefined;
      const relative = path.relative(from, target.replace(/\.ts$/, '')).split(path.sep).join('/');
      return relative.startsWith('.') ? relative : `./${relative}`;
    };
    const f = context.factory;
    const visit = (node: ts.Node): ts.Node => {
      if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
        const to = rewrite(node.moduleSpecifier.text);
        if (to) {
          return ts.isImportDeclaration(node)
            ? f.updateImportDeclaration(node, node.modifiers, node.importClause, f.createStringLiteral(to), node.attributes)
            : f.updateExportDeclaration(node, node.modifiers, node.isTypeOnly, node.exportClause, f.createStringLiteral(to), node.attributes);
        }
      }
      if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
        const to = rewrite(node.argument.literal.text);
        if (to) return f.updateImportTypeNode(node, f.createLiteralTypeNode(f.createStringLiteral(to)), node.attributes, node.qualifier, node.typeArguments, node.isTypeOf);
      }
      if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isStringLiteral(node.arguments[0])) {
        const isRequire = ts.isIdentifier(node.expression) && node.expression.text === 'require';
        const to = (isRequire || node.expression.kind === ts.SyntaxKind.ImportKeyword) && rewrite(node.arguments[0].text);
        if (to) return f.updateCallExpression(node, node.expression, node.typeArguments, [f.createStringLiteral(to)]);
      }
      return ts.visitEachChild(node, visit, context);
    };
    return ts.visitNode(root, visit) as ts.SourceFile;
  };
}

/** The same rewrite for declaration output, which may also hand over bundles (never with our options). */
function forDeclarations(rewriter: ts.TransformerFactory<ts.SourceFile>): ts.TransformerFactory<ts.SourceFile | ts.Bundle> {
  return (context) => {
    const rewrite = rewriter(context);
    return (node) => (ts.isSourceFile(node) ? rewrite(node) : node);
  };
}

function compilerOptions(): ts.CompilerOptions {
  const base = ts.readConfigFile(path.join(ROOT, 'tsconfig.base.json'), ts.sys.readFile);
  if (base.error) fail(ts.flattenDiagnosticMessageText(base.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(base.config, ts.sys, ROOT);
  return {
    ...parsed.options,
    rootDir: LIBS,
    outDir: LIB_DIR,
    declaration: true,
    sourceMap: false,
    noEmit: false,
    types: ['node'],
    module: ts.ModuleKind.CommonJS,
  };
}

function compile(): ts.Program {
  const options = compilerOptions();
  const program = ts.createProgram({ rootNames: ENTRIES, options });
  const rewriter = aliasRewriter(workspaceAliases(options));
  const result = program.emit(undefined, undefined, undefined, false, { before: [rewriter], afterDeclarations: [forDeclarations(rewriter)] });
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...result.diagnostics];
  if (diagnostics.length > 0 || result.emitSkipped) {
    fail(ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => ROOT, getNewLine: () => '\n' }));
  }
  // hand-written declaration files (fetch-globals.d.ts) are inputs, which tsc does not emit
  for (const source of program.getSourceFiles()) {
    if (!source.isDeclarationFile || !source.fileName.startsWith(LIBS + path.sep)) continue;
    const target = path.join(LIB_DIR, path.relative(LIBS, source.fileName));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(source.fileName, target);
  }
  return program;
}

/** Bare module names the emitted JavaScript requires: they must be the manifest's dependencies, no more, no less. */
function requiredPackages(dir: string): Set<string> {
  const found = new Set<string>();
  const builtins = new Set(builtinModules);
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.js')) continue;
    const code = fs.readFileSync(path.join(entry.parentPath, entry.name), 'utf8');
    for (const [, specifier] of code.matchAll(/require\(['"]([^'"]+)['"]\)/g)) {
      if (specifier.startsWith('.') || specifier.startsWith('node:') || builtins.has(specifier)) continue;
      if (specifier.startsWith('@tributary/')) fail(`${entry.name} still requires ${specifier}`);
      found.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]);
    }
  }
  return found;
}

function writeManifest(): Manifest {
  const manifest = JSON.parse(fs.readFileSync(path.join(LIBS, 'client/package.json'), 'utf8')) as Manifest;
  const workspace = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const required = requiredPackages(LIB_DIR);
  const declared = new Set(Object.keys(manifest.dependencies));
  const missing = [...required].filter((p) => !declared.has(p));
  const unused = [...declared].filter((p) => !required.has(p));
  if (missing.length > 0 || unused.length > 0) fail(`libs/client/package.json dependencies: missing [${missing.join(', ')}], unused [${unused.join(', ')}]`);
  for (const [name, version] of Object.entries(manifest.dependencies)) {
    // the package depends on exactly what the workspace builds and tests with
    if (workspace.dependencies[name] !== version) fail(`${name}@${version} in libs/client/package.json, but the workspace has ${workspace.dependencies[name] ?? 'none'}`);
  }
  const built = [manifest.main, manifest.types, ...codeEntries(manifest).flatMap(([, target]) => [target.types, target.require])];
  for (const file of built) if (!fs.existsSync(path.join(CLIENT_PACKAGE_DIR, file))) fail(`${file} was not built`);
  fs.writeFileSync(path.join(CLIENT_PACKAGE_DIR, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** The exports map's subpaths that lead to code (not './package.json'), each with import and require conditions. */
function codeEntries(manifest: Manifest): [string, ExportTarget][] {
  const entries = Object.entries(manifest.exports).filter((entry): entry is [string, ExportTarget] => typeof entry[1] !== 'string');
  for (const [subpath, target] of entries) if (!target.types || !target.import || !target.require) fail(`exports["${subpath}"] needs types, import and require`);
  return entries;
}

/** The ESM entries: every name of each CommonJS entry, listed explicitly so no module lexer has to guess them. */
function writeEsmEntries(manifest: Manifest): void {
  for (const [, target] of codeEntries(manifest)) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the freshly built entry, to list its names
    const names = Object.keys(require(path.join(CLIENT_PACKAGE_DIR, target.require)) as object).filter((n) => n !== 'default' && n !== '__esModule').sort();
    const lines = [
      '// Generated by tools/package/build-client-package.ts: the CommonJS entry, re-exported by name.',
      `import entry from '${target.require}';`,
      '',
      `export const { ${names.join(', ')} } = entry;`,
      'export default entry;',
      '',
    ];
    fs.writeFileSync(path.join(CLIENT_PACKAGE_DIR, target.import), lines.join('\n'));
  }
}

export function buildClientPackage(): void {
  fs.rmSync(CLIENT_PACKAGE_DIR, { recursive: true, force: true });
  compile();
  const manifest = writeManifest();
  writeEsmEntries(manifest);
  fs.copyFileSync(path.join(ROOT, 'docs/client.md'), path.join(CLIENT_PACKAGE_DIR, 'README.md'));
}

if (require.main === module) {
  buildClientPackage();
  console.log(`built ${path.relative(ROOT, CLIENT_PACKAGE_DIR)}`);
}
