import { Injectable } from '@nestjs/common';
import { TopicInfo } from '@tributary/client';
import { Principal } from '../auth/principal';
import { TopicAuthorizer } from '../auth/topic-authorizer';
import { ClusterIdentity } from '../clusters/cluster-identity';
import { parseRecord } from './plain-records';
import { ProduceResponse } from './produce.schemas';
import { RecordProducer } from './record-producer';

/** Validates one JSON record and sends it: its delivery report, or a 400 naming the field, 422, a Kafka error. */
export type RecordSender = (json: unknown) => Promise<ProduceResponse>;

/**
 * The checks of a REST produce, the same whichever way the request came in (a Nest route, a
 * stream line, or the direct single-record route): the cluster, the principal's write access,
 * the topic, then each record's validation.
 */
@Injectable()
export class TopicProduce {
  constructor(
    private readonly identity: ClusterIdentity,
    private readonly authorizer: TopicAuthorizer,
    private readonly producer: RecordProducer,
  ) {}

  /** 404 for another cluster, 403 when `principal` may not write the topic, 404 for an unknown topic. */
  async checkedTopic(clusterId: string, topicName: string, principal: Principal): Promise<TopicInfo> {
    await this.identity.require(clusterId);
    this.authorizer.requireTopic(principal, 'write', topicName);
    return this.producer.topic(topicName);
  }

  /** Checks once, then sends records to the topic; records without their own `traceparent` carry `traceparent`. */
  async recordSender(clusterId: string, topicName: string, principal: Principal, traceparent: string | undefined): Promise<RecordSender> {
    const topic = await this.checkedTopic(clusterId, topicName, principal);
    return async (json) => {
      return this.producer.send(clusterId, topicName, this.producer.prepare(parseRecord(json), topic, traceparent));
    };
  }
}
