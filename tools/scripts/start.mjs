// `npm start`: a local Tributary cluster on embedded defaults, each app a child process.
// Data lives under ./data (override with TRIBUTARY_DATA_DIR). Ctrl-C stops everything cleanly.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dataDir = resolve(process.env.TRIBUTARY_DATA_DIR ?? join(root, 'data'));
mkdirSync(dataDir, { recursive: true });

const apps = [
  { name: 'controller', env: { CONTROLLER_HTTP_PORT: process.env.CONTROLLER_HTTP_PORT ?? '9644' } },
  { name: 'broker', env: { BROKER_HTTP_PORT: process.env.BROKER_HTTP_PORT ?? '9645' } },
  { name: 'gateway', env: { GATEWAY_HTTP_PORT: process.env.GATEWAY_HTTP_PORT ?? '8080' } },
];

const children = [];
let stopping = false;

function stop(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  const force = setTimeout(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  }, 5000);
  force.unref();
  Promise.all(children.map((c) => (c.exitCode !== null ? null : new Promise((r) => c.once('exit', r))))).then(() => process.exit(code));
}

for (const app of apps) {
  const args = app.name === 'gateway' ? [] : ['--data-dir', join(dataDir, app.name)];
  const child = spawn(process.execPath, ['-r', '@swc-node/register', join(root, `apps/${app.name}/src/main.ts`), ...args], {
    cwd: root,
    env: { ...process.env, ...app.env, TRIBUTARY_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  child.stdout.on('data', (chunk) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      process.stdout.write(`[${app.name}] ${line}\n`);
    }
  });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      process.stderr.write(`[${app.name}] exited (${signal ?? code}); stopping the cluster\n`);
      stop(1);
    }
  });
}

process.stdout.write(`Tributary local cluster starting; data in ${dataDir}\n`);
for (const app of apps) {
  const port = Object.values(app.env)[0];
  process.stdout.write(`  ${app.name.padEnd(10)} health: http://127.0.0.1:${port}/health\n`);
}
process.stdout.write('Press Ctrl-C to stop.\n');
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
