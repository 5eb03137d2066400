import { Controller, INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { TributaryRpcClientProxy } from './rpc-client.proxy';
import { TributaryRpcStrategy } from './rpc-transport.strategy';

@Controller()
class QuorumTestController {
  @MessagePattern('quorum.describe')
  describe(@Payload() data: { who: string }): { leaderId: number; asked: string } {
    return { leaderId: 1, asked: data.who };
  }

  @MessagePattern('fails')
  fails(): never {
    throw new Error('refused');
  }
}

@Module({ controllers: [QuorumTestController] })
class TestModule {}

describe('NestJS custom transport over the control-plane RPC', () => {
  let app: INestMicroservice;
  let strategy: TributaryRpcStrategy;

  beforeAll(async () => {
    strategy = new TributaryRpcStrategy({ port: 0 });
    app = await NestFactory.createMicroservice(TestModule, { strategy, logger: false });
    await app.listen();
  });
  afterAll(() => app.close());

  it('serves @MessagePattern handlers to the client proxy over real TCP', async () => {
    const client = new TributaryRpcClientProxy({ host: '127.0.0.1', port: strategy.port });
    expect(await lastValueFrom(client.send('quorum.describe', { who: 'broker-1' }))).toEqual({ leaderId: 1, asked: 'broker-1' });
    await expect(lastValueFrom(client.send('fails', {}))).rejects.toBeDefined();
    client.close();
  });
});
