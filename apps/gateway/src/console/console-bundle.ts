import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { build } from 'esbuild';

/** The console's sources (apps/gateway/console): a browser program with its own tsconfig (DOM lib). */
const CONSOLE_DIR = path.resolve(__dirname, '../../console');

export interface ConsoleAssets {
  html: string;
  script: string;
  css: string;
}

/**
 * The web console, bundled by esbuild once per gateway process, in memory: started when the
 * module initialises (so the first visitor does not wait for it) and served from then on. Nothing
 * is written to disk, so there is no build output to keep in step with the sources.
 */
@Injectable()
export class ConsoleBundle implements OnModuleInit {
  private readonly logger = new Logger('Console');
  private assets: Promise<ConsoleAssets> | null = null;

  onModuleInit(): void {
    // a failed build is reported when a page asks for it; the REST API starts regardless
    void this.get().catch((error: Error) => this.logger.error({ msg: 'the console could not be bundled', error: error.message }));
  }

  /** The bundled console; the same promise for every caller. */
  get(): Promise<ConsoleAssets> {
    if (!this.assets) {
      const startedMs = performance.now();
      this.assets = bundleConsole();
      void this.assets.then(
        (assets) => this.logger.log({ msg: 'console bundled', path: '/console', scriptBytes: Buffer.byteLength(assets.script), tookMs: Math.round(performance.now() - startedMs) }),
        () => undefined,
      );
    }
    return this.assets;
  }
}

async function bundleConsole(): Promise<ConsoleAssets> {
  const result = await build({
    entryPoints: [path.join(CONSOLE_DIR, 'main.ts')],
    tsconfig: path.join(CONSOLE_DIR, 'tsconfig.json'),
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: 'inline',
    sourcesContent: false,
    // the subscription helper imports `ws` only where there is no global WebSocket, never in a browser
    external: ['ws'],
    logLevel: 'silent',
  });
  const [html, css] = await Promise.all([readFile(path.join(CONSOLE_DIR, 'index.html'), 'utf8'), readFile(path.join(CONSOLE_DIR, 'console.css'), 'utf8')]);
  return { html, script: result.outputFiles[0].text, css };
}
