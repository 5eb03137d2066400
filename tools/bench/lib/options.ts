/** A bench's `--name value` options. */
export function benchOptions(argv: string[]): Map<string, string> {
  const options = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) options.set(argv[i].replace(/^--/, ''), argv[i + 1]);
  return options;
}

/** `raw` as a positive number, or a RangeError that names the option. */
export function parsePositive(name: string, raw: string | undefined): number {
  const value = Number(raw);
  if (raw === undefined || !Number.isFinite(value) || value <= 0) throw new RangeError(`--${name} must be a positive number, not "${raw ?? ''}"`);
  return value;
}

/** A positive number option, or its default when absent; a bad value ends the bench with a one-line error (exit 2). */
export function positiveOption(options: Map<string, string>, name: string, fallback: number): number {
  if (!options.has(name)) return fallback;
  try {
    return parsePositive(name, options.get(name));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  }
}
