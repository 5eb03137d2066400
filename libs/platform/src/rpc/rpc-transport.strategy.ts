import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import { RpcServer, RpcServerOptions } from '@tributary/protocol';
import { lastValueFrom } from 'rxjs';

/**
 * @nestjs/microservices server for the control plane: @MessagePattern handlers of a Nest app
 * served over Tributary's msgpack-framed TCP (libs/protocol RpcServer).
 */
export class TributaryRpcStrategy extends Server implements CustomTransportStrategy {
  private rpc: RpcServer | null = null;
  private boundPort = 0;

  constructor(private readonly options: Partial<RpcServerOptions> & { port: number }) {
    super();
  }

  /** The port actually bound (useful with port 0). */
  get port(): number {
    return this.boundPort;
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      const rpc = new RpcServer(this.options);
      for (const [pattern, handler] of this.messageHandlers) {
        rpc.handle(pattern, async (data) => {
          const result = await handler(data);
          return handler.isEventHandler ? undefined : lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
        });
      }
      this.boundPort = (await rpc.listen()).port;
      this.rpc = rpc;
      callback();
    } catch (error) {
      callback(error);
    }
  }

  async close(): Promise<void> {
    await this.rpc?.close();
    this.rpc = null;
  }

  on(): void {
    throw new Error('TributaryRpcStrategy has no event listeners');
  }

  unwrap<T>(): T {
    if (!this.rpc) throw new Error('not listening');
    return this.rpc as T;
  }
}
