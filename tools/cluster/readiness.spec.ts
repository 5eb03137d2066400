import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from './free-port';
import { NodeProcess } from './node-process';

interface ReadyAnswer {
  status: number;
  body: { status?: string; ready?: boolean; info?: Record<string, unknown>; error?: Record<string, unknown>; checks?: Record<string, unknown>; state?: string };
}

async function ready(node: NodeProcess): Promise<ReadyAnswer> {
  const response = await fetch(`${node.healthUrl}/ready`, { signal: AbortSignal.timeout(10_000) });
  return { status: response.status, body: (await response.json()) as ReadyAnswer['body'] };
}

/**
 * Readiness is "able to serve": a broker answers 503 on /health/ready (while /health is 200)
 * until a controller quorum has registered and unfenced it, and a gateway answers 503 until a
 * broker answers it. Real processes, started in the order that shows each state.
 */
describe('readiness (/health/ready, terminus)', () => {
  const nodes: NodeProcess[] = [];
  let baseDir: string;

  beforeAll(() => {
    baseDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-readiness-'));
  });

  afterAll(async () => {
    for (const node of nodes.reverse()) await node.kill('SIGTERM', 5_000);
    fs.rmSync(baseDir, { recursive: true, force: true });
  }, 60_000);

  it('answers 503 from a broker not yet registered and from a gateway without a broker, 200 once they can serve', async () => {
    const [controllerRpc, controllerHttp, kafka, brokerHttp, gatewayHttp] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
    const voters = `1@127.0.0.1:${controllerRpc}`;
    const broker = new NodeProcess('broker', 101, ['--node-id', '101', '--controllers', voters, '--data-dir', path.join(baseDir, 'broker'), '--kafka-port', String(kafka), '--http-port', String(brokerHttp)], brokerHttp, { kafka });
    const gateway = new NodeProcess('gateway', 1, ['--http-port', String(gatewayHttp), '--brokers', `101@127.0.0.1:${kafka}`], gatewayHttp, {});
    const controller = new NodeProcess('controller', 1, ['--node-id', '1', '--voters', voters, '--data-dir', path.join(baseDir, 'controller'), '--http-port', String(controllerHttp)], controllerHttp, { rpc: controllerRpc });

    // the gateway first, with no broker anywhere
    nodes.push(gateway);
    gateway.start();
    await gateway.waitHealthy(60_000);
    const lonelyGateway = await ready(gateway);
    expect(lonelyGateway.status).toBe(503);
    expect(lonelyGateway.body).toMatchObject({ status: 'error', error: { kafka: { status: 'down' } } });

    // a broker whose controller quorum is not up: alive, not ready
    nodes.push(broker);
    broker.start();
    await broker.waitHealthy(60_000);
    const unregistered = await ready(broker);
    expect(unregistered.status).toBe(503);
    expect(unregistered.body).toMatchObject({ ready: false, checks: { broker: { status: 'down' } } });
    expect(unregistered.body.state).not.toBe('running');

    nodes.push(controller);
    controller.start();
    await controller.waitHealthy(60_000, true);
    expect((await ready(controller)).body).toMatchObject({ ready: true, nodeId: 1, activeController: 1, checks: { quorum: { status: 'up', leader: 1 } } });
    await broker.waitHealthy(60_000, true);
    expect((await ready(broker)).body).toMatchObject({ ready: true, state: 'running', checks: { broker: { status: 'up' } } });
    await gateway.waitHealthy(30_000, true);
    expect((await ready(gateway)).body).toMatchObject({ status: 'ok', info: { kafka: { status: 'up', brokers: 1 } } });
  }, 180_000);
});
