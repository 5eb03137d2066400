import { Controller } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { ControlRequest, ControlResponse } from '@tributary/protocol';
import { Message } from '@tributary/raft';
import { ControllerRuntime } from './controller-runtime';

/** The control-plane RPC endpoints (msgpack over TCP): thin, everything is in QuorumController. */
@Controller()
export class ControlPlaneController {
  constructor(private readonly runtime: ControllerRuntime) {}

  /** Raft traffic between controllers (fire and forget: Raft copes with loss). */
  @EventPattern('raft.message')
  raftMessage(@Payload() message: Message): void {
    this.runtime.deliver(message);
  }

  @MessagePattern('broker.register')
  register(@Payload() request: ControlRequest<'broker.register'>): Promise<ControlResponse<'broker.register'>> {
    return this.runtime.quorum.handle('broker.register', request);
  }

  @MessagePattern('broker.heartbeat')
  heartbeat(@Payload() request: ControlRequest<'broker.heartbeat'>): Promise<ControlResponse<'broker.heartbeat'>> {
    return this.runtime.quorum.handle('broker.heartbeat', request);
  }

  @MessagePattern('metadata.fetch')
  fetchMetadata(@Payload() request: ControlRequest<'metadata.fetch'>): Promise<ControlResponse<'metadata.fetch'>> {
    return this.runtime.quorum.handle('metadata.fetch', request);
  }

  @MessagePattern('partition.alter')
  alterPartition(@Payload() request: ControlRequest<'partition.alter'>): Promise<ControlResponse<'partition.alter'>> {
    return this.runtime.quorum.handle('partition.alter', request);
  }

  @MessagePattern('topics.create')
  createTopics(@Payload() request: ControlRequest<'topics.create'>): Promise<ControlResponse<'topics.create'>> {
    return this.runtime.quorum.handle('topics.create', request);
  }

  @MessagePattern('topics.delete')
  deleteTopics(@Payload() request: ControlRequest<'topics.delete'>): Promise<ControlResponse<'topics.delete'>> {
    return this.runtime.quorum.handle('topics.delete', request);
  }

  @MessagePattern('partitions.create')
  createPartitions(@Payload() request: ControlRequest<'partitions.create'>): Promise<ControlResponse<'partitions.create'>> {
    return this.runtime.quorum.handle('partitions.create', request);
  }

  @MessagePattern('configs.alter')
  alterConfigs(@Payload() request: ControlRequest<'configs.alter'>): Promise<ControlResponse<'configs.alter'>> {
    return this.runtime.quorum.handle('configs.alter', request);
  }

  @MessagePattern('leaders.elect')
  electLeaders(@Payload() request: ControlRequest<'leaders.elect'>): Promise<ControlResponse<'leaders.elect'>> {
    return this.runtime.quorum.handle('leaders.elect', request);
  }

  @MessagePattern('acls.create')
  createAcls(@Payload() request: ControlRequest<'acls.create'>): Promise<ControlResponse<'acls.create'>> {
    return this.runtime.quorum.handle('acls.create', request);
  }

  @MessagePattern('acls.delete')
  deleteAcls(@Payload() request: ControlRequest<'acls.delete'>): Promise<ControlResponse<'acls.delete'>> {
    return this.runtime.quorum.handle('acls.delete', request);
  }

  @MessagePattern('producerIds.allocate')
  allocateProducerIds(@Payload() request: ControlRequest<'producerIds.allocate'>): Promise<ControlResponse<'producerIds.allocate'>> {
    return this.runtime.quorum.handle('producerIds.allocate', request);
  }

  @MessagePattern('quorum.describe')
  describeQuorum(): Promise<ControlResponse<'quorum.describe'>> {
    return this.runtime.quorum.handle('quorum.describe', {});
  }
}
