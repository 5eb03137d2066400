import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from './free-port';
import { NodeProcess } from './node-process';

export interface ClusterSpec {
  controllers: number;
  brokers: number;
  /** broker.session.timeout.ms of the controllers (short in tests so failover is quick). */
  brokerSessionTimeoutMs?: number;
  gateway?: boolean;
  /** Where every node's data directory goes; a fresh temp dir by default. */
  baseDir?: string;
  /** Extra flags for every broker (e.g. SASL users and the authorizer). */
  brokerArgs?: string[];
  /** Extra flags for every controller. */
  controllerArgs?: string[];
  /** Extra flags for the gateway. */
  gatewayArgs?: string[];
}

/**
 * N controllers and M brokers (and optionally a gateway) as separate processes on loopback, each
 * with its own data directory and free ports. For tests and benchmarks: kill, restart, stop.
 */
export class LocalCluster {
  private constructor(
    readonly baseDir: string,
    readonly controllers: NodeProcess[],
    readonly brokers: NodeProcess[],
    readonly gateway: NodeProcess | null,
    private readonly ownsBaseDir: boolean,
  ) {}

  static async start(spec: ClusterSpec): Promise<LocalCluster> {
    const ownsBaseDir = spec.baseDir === undefined;
    const baseDir = spec.baseDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-cluster-'));
    const controllerPorts = await Promise.all(Array.from({ length: spec.controllers }, async () => ({ rpc: await freePort(), http: await freePort() })));
    const voters = controllerPorts.map((p, i) => `${i + 1}@127.0.0.1:${p.rpc}`).join(',');
    const controllers = controllerPorts.map(
      (p, i) =>
        new NodeProcess(
          'controller',
          i + 1,
          [
            '--node-id', String(i + 1),
            '--voters', voters,
            '--data-dir', path.join(baseDir, `controller-${i + 1}`),
            '--http-port', String(p.http),
            ...(spec.brokerSessionTimeoutMs ? ['--broker-session-timeout-ms', String(spec.brokerSessionTimeoutMs)] : []),
            ...(spec.controllerArgs ?? []),
          ],
          p.http,
          { rpc: p.rpc },
        ),
    );
    const brokers: NodeProcess[] = [];
    for (let i = 0; i < spec.brokers; i++) {
      const id = 100 + i + 1;
      const kafka = await freePort();
      const http = await freePort();
      brokers.push(
        new NodeProcess('broker', id, ['--node-id', String(id), '--controllers', voters, '--data-dir', path.join(baseDir, `broker-${id}`), '--kafka-port', String(kafka), '--http-port', String(http), ...(spec.brokerArgs ?? [])], http, { kafka }),
      );
    }
    let gateway: NodeProcess | null = null;
    if (spec.gateway) {
      const http = await freePort();
      const bootstrap = brokers.map((b) => `${b.id}@127.0.0.1:${b.ports.kafka}`).join(',');
      gateway = new NodeProcess('gateway', 1, ['--http-port', String(http), ...(bootstrap ? ['--brokers', bootstrap] : []), ...(spec.gatewayArgs ?? [])], http, {});
    }
    const cluster = new LocalCluster(baseDir, controllers, brokers, gateway, ownsBaseDir);
    try {
      for (const node of cluster.all()) node.start();
      await Promise.all(cluster.all().map((node) => node.waitHealthy(60_000, node.role !== 'gateway')));
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  /** host:port list for Kafka clients. */
  get bootstrap(): string {
    return this.brokers.map((b) => `127.0.0.1:${b.ports.kafka}`).join(',');
  }

  all(): NodeProcess[] {
    return [...this.controllers, ...this.brokers, ...(this.gateway ? [this.gateway] : [])];
  }

  /** Stops every process (SIGTERM, then SIGKILL) and removes the data unless it was given. */
  async stop(): Promise<void> {
    // brokers first, while the controllers can still take their controlled shutdown
    await Promise.all([...this.brokers, ...(this.gateway ? [this.gateway] : [])].map((node) => node.kill('SIGTERM', 5000)));
    await Promise.all(this.controllers.map((node) => node.kill('SIGTERM', 5000)));
    if (this.ownsBaseDir) fs.rmSync(this.baseDir, { recursive: true, force: true });
  }
}
