import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { ConsoleAssets, ConsoleBundle } from './console-bundle';

/**
 * The web console at /console: a page, its script and its stylesheet. They carry no data and need
 * no credentials; the page asks for an API key when the REST API answers 401. Not part of the
 * OpenAPI document (the SDK is generated from that).
 */
@ApiExcludeController()
@Controller('console')
export class ConsoleController {
  constructor(private readonly bundle: ConsoleBundle) {}

  @Get()
  page(@Res() response: Response): Promise<void> {
    return this.send(response, 'text/html; charset=utf-8', (assets) => assets.html);
  }

  @Get('app.js')
  script(@Res() response: Response): Promise<void> {
    return this.send(response, 'text/javascript; charset=utf-8', (assets) => assets.script);
  }

  @Get('app.css')
  stylesheet(@Res() response: Response): Promise<void> {
    return this.send(response, 'text/css; charset=utf-8', (assets) => assets.css);
  }

  private async send(response: Response, contentType: string, pick: (assets: ConsoleAssets) => string): Promise<void> {
    let body: string;
    try {
      body = pick(await this.bundle.get());
    } catch (error) {
      response.status(500).type('text/plain; charset=utf-8').send(`the console could not be bundled: ${(error as Error).message}\n`);
      return;
    }
    // revalidated on every load (express adds an ETag), so a restarted gateway's console is never stale
    response.status(200).set('Cache-Control', 'no-cache').set('X-Content-Type-Options', 'nosniff').type(contentType).send(body);
  }
}
