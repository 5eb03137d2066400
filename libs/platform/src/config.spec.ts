import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { z } from 'zod';
import { ConfigError, loadConfig, port, voterList } from './config';

const schema = z.object({
  nodeId: z.coerce.number().int().min(0),
  kafkaPort: port().default(9092),
  dataDir: z.string().default('./data'),
  voters: voterList().default([]),
});

describe('loadConfig', () => {
  it('takes defaults, then the config file, then env, then flags', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-'));
    const file = path.join(dir, 'broker.json');
    fs.writeFileSync(file, JSON.stringify({ nodeId: 1, dataDir: '/from/file', kafkaPort: 1000 }));
    const config = loadConfig(schema, { argv: ['--config', file, '--kafka-port=9094', '--voters', '1@localhost:9093,2@h:9095'], env: { BROKER_DATA_DIR: '/from/env', BROKER_KAFKA_PORT: '2000' }, envPrefix: 'BROKER' });
    expect(config).toEqual({ nodeId: 1, kafkaPort: 9094, dataDir: '/from/env', voters: [{ id: 1, host: 'localhost', port: 9093 }, { id: 2, host: 'h', port: 9095 }] });
    fs.rmSync(dir, { recursive: true });
  });

  it('reports every problem at once, naming the setting and its source', () => {
    let error: ConfigError | undefined;
    try {
      loadConfig(schema, { argv: ['--kafka-port', 'abc', '--colour', 'blue', '--voters', 'x@y'], env: {}, envPrefix: 'BROKER' });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = error?.problems.join('\n') ?? '';
    expect(text).toMatch(/--colour: unknown flag/);
    expect(text).toMatch(/kafkaPort: .*\(from flag --kafka-port\)/);
    expect(text).toMatch(/"x@y" is not id@host:port/);
    expect(text).toMatch(/nodeId: /);
  });

  it('explains an unreadable config file', () => {
    expect(() => loadConfig(schema, { argv: ['--config', '/nope.json', '--node-id', '1'], env: {}, envPrefix: 'X' })).toThrow(/config file \/nope.json: ENOENT/);
  });
});
