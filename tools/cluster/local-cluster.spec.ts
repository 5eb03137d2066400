import { LocalCluster } from './local-cluster';

describe('LocalCluster launcher', () => {
  let cluster: LocalCluster | undefined;
  afterAll(() => cluster?.stop(), 60_000);

  it('starts a controller and brokers as separate ready processes, kills and restarts a broker', async () => {
    cluster = await LocalCluster.start({ controllers: 1, brokers: 2 });
    const pids = cluster.all().map((n) => n.pid);
    expect(new Set(pids).size).toBe(3);
    const victim = cluster.brokers[1];
    const oldPid = victim.pid;
    await victim.kill('SIGKILL');
    expect(victim.running).toBe(false);
    await expect(fetch(victim.healthUrl)).rejects.toThrow();
    await victim.restart();
    expect(victim.pid).not.toBe(oldPid);
    expect((await fetch(victim.healthUrl)).status).toBe(200);
    expect(cluster.bootstrap).toMatch(/^127\.0\.0\.1:\d+,127\.0\.0\.1:\d+$/);
  }, 90_000);
});
