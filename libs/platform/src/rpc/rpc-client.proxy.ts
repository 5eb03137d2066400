import { ClientProxy, ReadPacket, WritePacket } from '@nestjs/microservices';
import { RpcClient, RpcClientOptions } from '@tributary/protocol';

/** @nestjs/microservices client for the control plane, over the msgpack RpcClient. */
export class TributaryRpcClientProxy extends ClientProxy {
  private readonly client: RpcClient;

  constructor(options: Partial<RpcClientOptions> & { host: string; port: number }) {
    super();
    this.client = new RpcClient(options);
  }

  async connect(): Promise<void> {
    // the RpcClient connects lazily on the first request and reconnects by itself
  }

  close(): void {
    this.client.close();
  }

  unwrap<T>(): T {
    return this.client as T;
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    const pattern = typeof packet.pattern === 'string' ? packet.pattern : JSON.stringify(packet.pattern);
    this.client.request(pattern, packet.data).then(
      (response) => callback({ response, isDisposed: true }),
      (error: Error) => callback({ err: error.message, isDisposed: true }),
    );
    return () => undefined;
  }

  protected async dispatchEvent<T = unknown>(packet: ReadPacket): Promise<T> {
    const pattern = typeof packet.pattern === 'string' ? packet.pattern : JSON.stringify(packet.pattern);
    await this.client.emit(pattern, packet.data);
    return undefined as T;
  }
}
