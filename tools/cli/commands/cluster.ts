import { Command } from 'commander';
import { collect } from '../arguments';
import { CliError } from '../cli-errors';
import { CliCluster, GlobalOptions, withCluster } from '../cli-context';
import { columns, print } from '../output';

/** A controller's /health/ready answer (apps/controller health.controller.ts). */
interface ControllerStatus {
  url: string;
  ready: boolean;
  nodeId?: number;
  activeController?: number | null;
  term?: number;
  committedOffset?: number;
  appliedOffset?: number;
  /** Why the URL gave no status. */
  error?: string;
}

const HEALTH_TIMEOUT_MS = 3_000;
const HEALTH_URL_HELP = "a controller's HTTP address, e.g. http://127.0.0.1:9644 (repeatable)";

/** `tributary cluster ...`: brokers, controllers, health. */
export function clusterCommand(): Command {
  const cluster = new Command('cluster').description('brokers, controllers and overall health');

  cluster
    .command('brokers')
    .description('the live brokers: id, address, rack, and which one the cluster names as controller')
    .action(async (_options: unknown, command: Command) => {
      await withCluster(command.optsWithGlobals<GlobalOptions>(), async ({ admin }) => {
        const described = await admin.describeCluster();
        print(`Cluster: ${described.clusterId}`);
        print(columns(['ID', 'ADDRESS', 'RACK', 'CONTROLLER'], described.brokers.map((b) => [b.nodeId, `${b.host}:${b.port}`, b.rack ?? '-', b.nodeId === described.controllerId ? 'yes' : ''])));
      });
    });

  cluster
    .command('controllers')
    .description("the controller the brokers name and, from each controller's health endpoint, its role, term and metadata log offsets")
    .option('--health-url <url>', HEALTH_URL_HELP, collect)
    .action(async (options: { healthUrl?: string[] }, command: Command) => {
      const urls = (options.healthUrl ?? []).map(readinessUrl);
      const globals = command.optsWithGlobals<GlobalOptions>();
      try {
        await withCluster(globals, async ({ admin }) => {
          const described = await admin.describeCluster();
          print(`Cluster ${described.clusterId}: the brokers name broker ${described.controllerId} as controller (it forwards metadata changes to the controller quorum)`);
        });
      } catch (error) {
        // the controllers' own endpoints still answer when no broker does
        if (urls.length === 0) throw error;
        process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      }
      if (urls.length === 0) {
        process.stderr.write(`add --health-url for each controller (${HEALTH_URL_HELP.replace(' (repeatable)', '')}) to see its role, term and log offsets\n`);
        return;
      }
      const statuses = await Promise.all(urls.map(controllerStatus));
      print(
        columns(
          ['URL', 'NODE', 'ROLE', 'TERM', 'COMMITTED-OFFSET', 'APPLIED-OFFSET', 'READY'],
          statuses.map((s) => [s.url, s.nodeId ?? '-', role(s), s.term ?? '-', s.committedOffset ?? '-', s.appliedOffset ?? '-', s.error ? `unreachable (${s.error})` : s.ready ? 'yes' : 'no']),
        ),
      );
    });

  cluster
    .command('health')
    .description('checks that every broker answers and every partition has a leader (and, with --health-url, that controllers are ready); exit code 0 when healthy, 1 when not')
    .option('--health-url <url>', HEALTH_URL_HELP, collect)
    .action(async (options: { healthUrl?: string[] }, command: Command) => {
      const urls = (options.healthUrl ?? []).map(readinessUrl);
      await withCluster(command.optsWithGlobals<GlobalOptions>(), async (cluster) => {
        const problems = await checkHealth(cluster, urls);
        if (problems.length > 0) throw new CliError(`unhealthy: ${problems.join('; ')}`);
        print('healthy');
      });
    });

  return cluster;
}

/** Prints what it checked and returns what is wrong (empty when healthy). */
async function checkHealth({ client, admin }: CliCluster, urls: string[]): Promise<string[]> {
  const problems: string[] = [];
  const { brokers } = await admin.describeCluster();
  const unreachable: number[] = [];
  for (const broker of brokers) {
    const reachable = await client.connection(broker.nodeId).then(
      (connection) => connection.connected,
      () => false,
    );
    if (!reachable) unreachable.push(broker.nodeId);
  }
  print(`brokers: ${brokers.length} live, ${brokers.length - unreachable.length} answering`);
  if (brokers.length === 0) problems.push('no live broker registered');
  if (unreachable.length > 0) problems.push(`broker${unreachable.length === 1 ? '' : 's'} ${unreachable.join(', ')} not answering`);

  const topics = await admin.describeTopics(await admin.listTopics({ includeInternal: true }));
  const partitions = topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, ...p })));
  const offline = partitions.filter((p) => p.leader < 0);
  const underReplicated = partitions.filter((p) => p.isr.length < p.replicas.length);
  print(`partitions: ${partitions.length} in ${topics.length} topics, ${offline.length} without a leader, ${underReplicated.length} under-replicated`);
  if (offline.length > 0) problems.push(`no leader for ${offline.slice(0, 5).map((p) => `${p.topic}-${p.partition}`).join(', ')}${offline.length > 5 ? ` and ${offline.length - 5} more` : ''}`);

  if (urls.length > 0) {
    const statuses = await Promise.all(urls.map(controllerStatus));
    const notReady = statuses.filter((s) => !s.ready);
    const active = statuses.find((s) => s.nodeId !== undefined && s.nodeId === s.activeController);
    print(`controllers: ${statuses.length - notReady.length} of ${statuses.length} ready${active ? `, node ${active.nodeId} active` : ''}`);
    if (notReady.length > 0) problems.push(`controller${notReady.length === 1 ? '' : 's'} not ready: ${notReady.map((s) => s.url).join(', ')}`);
  }
  return problems;
}

/** Accepts a controller's base URL, its /health or its /health/ready. */
function readinessUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError(`--health-url "${url}" is not a URL (for example http://127.0.0.1:9644)`, 2);
  }
  const path = parsed.pathname.replace(/\/+$/, '');
  parsed.pathname = path.endsWith('/health/ready') ? path : path.endsWith('/health') ? `${path}/ready` : `${path}/health/ready`;
  return parsed.toString();
}

async function controllerStatus(url: string): Promise<ControllerStatus> {
  try {
    // 503 (not ready) still carries the status body
    const response = await fetch(url, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
    const body = (await response.json()) as Omit<ControllerStatus, 'url'>;
    return { ...body, url, ready: response.ok && body.ready === true };
  } catch (error) {
    return { url, ready: false, error: error instanceof Error ? error.message : String(error) };
  }
}

function role(status: ControllerStatus): string {
  if (status.nodeId === undefined) return '-';
  if (status.activeController === null || status.activeController === undefined) return 'no leader';
  return status.nodeId === status.activeController ? 'active' : 'follower';
}
