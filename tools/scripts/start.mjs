// `npm start`: a local Tributary cluster on embedded defaults: one controller, one broker and
// the gateway, each a child process. Data lives under ./data (TRIBUTARY_DATA_DIR overrides).
// Ports: Kafka 9092, controller RPC 9093, health 9644/9645, gateway 8080 (env overrides below).
// Ctrl-C stops everything cleanly (the broker hands its leaderships back first).
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dataDir = resolve(process.env.TRIBUTARY_DATA_DIR ?? join(root, 'data'));
mkdirSync(dataDir, { recursive: true });
const port = (name, fallback) => process.env[name] ?? String(fallback);
const ports = {
  kafka: port('BROKER_KAFKA_PORT', 9092),
  rpc: port('CONTROLLER_RPC_PORT', 9093),
  controllerHttp: port('CONTROLLER_HTTP_PORT', 9644),
  brokerHttp: port('BROKER_HTTP_PORT', 9645),
  gatewayHttp: port('GATEWAY_HTTP_PORT', 8080),
};
const voters = `1@127.0.0.1:${ports.rpc}`;

const apps = [
  { name: 'controller', args: ['--node-id', '1', '--voters', voters, '--data-dir', join(dataDir, 'controller-1'), '--http-port', ports.controllerHttp], ready: `http://127.0.0.1:${ports.controllerHttp}/health/ready` },
  { name: 'broker', args: ['--node-id', '1', '--controllers', voters, '--data-dir', join(dataDir, 'broker-1'), '--kafka-port', ports.kafka, '--http-port', ports.brokerHttp], ready: `http://127.0.0.1:${ports.brokerHttp}/health/ready` },
  { name: 'gateway', args: ['--http-port', ports.gatewayHttp, '--brokers', `1@127.0.0.1:${ports.kafka}`], ready: `http://127.0.0.1:${ports.gatewayHttp}/health/ready` },
];

const children = [];
let stopping = false;

function stop(code) {
  if (stopping) return;
  stopping = true;
  // reverse order: gateway, then broker (controlled shutdown talks to the controller), then controller
  const stopNext = (i) => {
    if (i < 0) return process.exit(code);
    const child = children[i];
    if (!child || child.exitCode !== null || child.signalCode !== null) return stopNext(i - 1);
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      stopNext(i - 1);
    });
    child.kill('SIGTERM');
  };
  stopNext(children.length - 1);
}

async function waitReady(url, child, name) {
  for (let attempt = 0; attempt < 600; attempt++) {
    if (child.exitCode !== null) throw new Error(`${name} exited during start`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} was not ready after 60 s (${url})`);
}

process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
process.stdout.write(`Tributary local cluster starting; data in ${dataDir}\n`);
for (const app of apps) {
  const child = spawn(process.execPath, ['-r', './tools/scripts/register.js', join(root, `apps/${app.name}/src/main.ts`), ...app.args], {
    cwd: root,
    env: process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const prefix = (stream, out) =>
    stream.on('data', (chunk) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) out.write(`[${app.name}] ${line}\n`);
    });
  prefix(child.stdout, process.stdout);
  prefix(child.stderr, process.stderr);
  child.on('exit', (code, signal) => {
    if (!stopping) {
      process.stderr.write(`[${app.name}] exited (${signal ?? code}); stopping the cluster\n`);
      stop(1);
    }
  });
  try {
    await waitReady(app.ready, child, app.name);
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    stop(1);
    break;
  }
}
if (!stopping) {
  process.stdout.write(
    [
      '',
      'Tributary is up.',
      `  Kafka bootstrap   127.0.0.1:${ports.kafka}      (try: kcat -b 127.0.0.1:${ports.kafka} -L)`,
      `  controller health http://127.0.0.1:${ports.controllerHttp}/health/ready`,
      `  broker health     http://127.0.0.1:${ports.brokerHttp}/health/ready`,
      `  web console       http://127.0.0.1:${ports.gatewayHttp}/console`,
      `  REST API          http://127.0.0.1:${ports.gatewayHttp}/v3/clusters   (docs http://127.0.0.1:${ports.gatewayHttp}/docs, OpenAPI /openapi.json)`,
      `  WebSocket         ws://127.0.0.1:${ports.gatewayHttp}/v1/ws`,
      `  gateway health    http://127.0.0.1:${ports.gatewayHttp}/health/ready`,
      `  metrics           http://127.0.0.1:${ports.controllerHttp}/metrics, http://127.0.0.1:${ports.brokerHttp}/metrics, http://127.0.0.1:${ports.gatewayHttp}/metrics (docs/operations.md)`,
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
}
