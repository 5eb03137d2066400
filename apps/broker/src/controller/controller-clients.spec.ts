import { ControlPattern, ControlRequest, ControlResponse, MetadataRecord } from '@tributary/protocol';
import { ControllerChannel } from '../kafka/broker-context';
import { BrokerLifecycleManager } from './broker-lifecycle-manager';
import { MetadataLoader } from './metadata-loader';

/** A scripted controller: answers each pattern with the function the test gives. */
function scriptedController(script: { [P in ControlPattern]?: (request: ControlRequest<P>) => ControlResponse<P> | Promise<ControlResponse<P>> }): ControllerChannel & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    call: (async (pattern: ControlPattern, request: never) => {
      calls.push(pattern);
      const answer = script[pattern] as ((r: never) => unknown) | undefined;
      if (!answer) throw new Error(`unscripted ${pattern}`);
      return answer(request);
    }) as ControllerChannel['call'],
  };
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const topic: MetadataRecord = { type: 'topic', name: 't', topicId: 'T' };
const partition: MetadataRecord = { type: 'partition', topicId: 'T', partitionId: 0, replicas: [1], isr: [1], leader: 1, leaderEpoch: 0, partitionEpoch: 0 };

describe('MetadataLoader', () => {
  it('applies committed records in order, records sharing an offset included, and no-op entries', async () => {
    const log = [
      { offset: 0, record: topic },
      { offset: 0, record: partition },
    ];
    let served = false;
    const controller = scriptedController({
      'metadata.fetch': async (request) => {
        if (!served) {
          served = true;
          return { errorCode: 0, errorMessage: null, records: log.filter((r) => r.offset >= request.fromOffset), snapshot: null, highWatermark: 2 };
        }
        await new Promise((r) => setTimeout(r, 20));
        return { errorCode: 0, errorMessage: null, records: [], snapshot: null, highWatermark: 2 };
      },
    });
    const seen: number[] = [];
    const loader = new MetadataLoader(controller, (image) => seen.push(image.offset), undefined, { backoffMs: 10 });
    loader.start();
    await loader.waitFor(2);
    await loader.stop();
    expect(loader.image.topicByName('t')?.partitions.size).toBe(1);
    expect(loader.offset).toBe(2);
    expect(seen).toEqual([2]);
  });

  it('loads a snapshot when it is too far behind, then the records after it', async () => {
    const controller = scriptedController({
      'metadata.fetch': async (request) =>
        request.fromOffset === 0
          ? { errorCode: 0, errorMessage: null, snapshot: { offset: 10, records: [topic] }, records: [{ offset: 11, record: partition }], highWatermark: 11 }
          : { errorCode: 0, errorMessage: null, snapshot: null, records: [], highWatermark: 11 },
    });
    const loader = new MetadataLoader(controller, () => undefined, undefined, { backoffMs: 10 });
    loader.start();
    await loader.waitFor(11);
    await loader.stop();
    expect(loader.image.topicByName('t')?.partitions.get(0)?.leader).toBe(1);
  });

  it('keeps retrying while the controller is unreachable', async () => {
    let failures = 0;
    const errors: Error[] = [];
    const controller = scriptedController({
      'metadata.fetch': async () => {
        if (failures++ < 3) throw new Error('controller down');
        return { errorCode: 0, errorMessage: null, snapshot: null, records: [{ offset: 0, record: topic }], highWatermark: 0 };
      },
    });
    const loader = new MetadataLoader(controller, () => undefined, (e) => errors.push(e), { backoffMs: 5 });
    loader.start();
    await loader.waitFor(0);
    await loader.stop();
    expect(errors).toHaveLength(3);
  });
});

describe('BrokerLifecycleManager', () => {
  it('registers, stays fenced until caught up, re-registers after losing its session, asks to be fenced on stop', async () => {
    let metadataOffset = 0;
    let epoch = 5;
    const heartbeats: { brokerEpoch: number; wantShutDown: boolean }[] = [];
    const controller = scriptedController({
      'broker.register': () => ({ errorCode: 0, errorMessage: null, brokerEpoch: epoch }),
      'broker.heartbeat': (request) => {
        heartbeats.push({ brokerEpoch: request.brokerEpoch, wantShutDown: request.wantShutDown });
        if (request.brokerEpoch !== epoch) return { errorCode: 77, errorMessage: 'stale epoch', isCaughtUp: false, isFenced: true, shouldShutDown: false };
        const caughtUp = request.currentMetadataOffset >= 3;
        return { errorCode: 0, errorMessage: null, isCaughtUp: caughtUp, isFenced: !caughtUp, shouldShutDown: request.wantShutDown };
      },
    });
    const lifecycle = new BrokerLifecycleManager(controller, { brokerId: 1, incarnationId: 'i', rack: null, listeners: [], heartbeatIntervalMs: 5 }, () => metadataOffset);
    lifecycle.start();
    await until(() => lifecycle.state === 'registered' && heartbeats.length > 0);
    expect(lifecycle.ready).toBe(false);
    metadataOffset = 3;
    await until(() => lifecycle.ready);
    expect(lifecycle.brokerEpoch).toBe(5);

    epoch = 9; // the controller lost our session
    await until(() => lifecycle.brokerEpoch === 9 && lifecycle.ready);
    await lifecycle.stop();
    expect(heartbeats.at(-1)).toEqual({ brokerEpoch: 9, wantShutDown: true });
    expect(lifecycle.state).toBe('stopped');
  });
});
