import * as os from 'node:os';

/** The facts a benchmark figure means nothing without. */
export interface MachineFacts {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  os: string;
  date: string;
}

export function machineFacts(): MachineFacts {
  const cpus = os.cpus();
  return { cores: cpus.length, cpuModel: cpus[0]?.model.trim() ?? 'unknown', memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, os: `${os.platform()} ${os.release()}`, date: new Date().toISOString() };
}

export function machineLine(facts = machineFacts()): string {
  return `${facts.cores} cores (${facts.cpuModel}), ${facts.memoryGiB} GiB, Node ${facts.node}, ${facts.os}, ${facts.date}`;
}
