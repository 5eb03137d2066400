import * as fs from 'node:fs';
import * as path from 'node:path';
import { MachineFacts, machineFacts } from './machine';
import { Summary } from './stats';

/** A number to compare a figure against: a target of ours, or a peer's or raw baseline measured in the same run. */
export interface Reference {
  name: string;
  value: number;
  /** Which way is better: a latency target is met at or below its value, a rate at or above. */
  better: 'higher' | 'lower';
}

/** One measured figure: the median and range of its runs, in `unit`. */
export interface Figure {
  figure: string;
  unit: string;
  summary: Summary;
  /** Decimals worth printing. */
  digits?: number;
  target?: Reference;
  baselines?: Reference[];
}

/** What `--json <file>` writes: every figure of one bench, with the machine and settings it ran with. */
export interface BenchResult {
  bench: string;
  machine: MachineFacts;
  /** The run's sizes and counts, as the bench printed them. */
  settings: string;
  figures: Figure[];
  notes: string[];
}

export function benchResult(bench: string, settings: string, figures: Figure[], notes: string[] = []): BenchResult {
  return { bench, machine: machineFacts(), settings, figures, notes };
}

/** Writes the result as JSON when `file` is given (the bench's --json option). */
export function writeBenchResult(file: string | undefined, result: BenchResult): void {
  if (!file) return;
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
}

/** A single measurement as a summary (a peer's median, a one-off reference). */
export function single(value: number): Summary {
  return { median: value, min: value, max: value, runs: 1 };
}

/** The figure's median over the reference, and whether the reference's direction is satisfied. */
export function compare(figure: Figure, reference: Reference): { ratio: number; met: boolean } {
  const ratio = figure.summary.median / reference.value;
  return { ratio, met: reference.better === 'higher' ? ratio >= 1 : ratio <= 1 };
}
