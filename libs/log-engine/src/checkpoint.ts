import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Small text checkpoint files ("<version>\n<line>...\n"), replaced atomically: write a temp file,
 * fsync it, rename over the old one, fsync the directory. A reader sees the old or the new file,
 * never a mix.
 */
const VERSION = 0;

export function writeCheckpoint(file: string, lines: string[]): void {
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o644);
  try {
    fs.writeSync(fd, `${VERSION}\n${lines.length}\n${lines.map((l) => `${l}\n`).join('')}`);
    fs.fdatasyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  syncDirectory(path.dirname(file));
}

/** The lines of a checkpoint, or null when the file is missing or malformed. */
export function readCheckpoint(file: string): string[] | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const lines = text.split('\n');
  if (lines[0] !== String(VERSION)) return null;
  const count = Number(lines[1]);
  if (!Number.isInteger(count) || count < 0 || count > lines.length - 2) return null;
  return lines.slice(2, 2 + count);
}

export function writeOffsetCheckpoint(file: string, offset: number): void {
  writeCheckpoint(file, [String(offset)]);
}

export function readOffsetCheckpoint(file: string): number | null {
  const lines = readCheckpoint(file);
  if (lines === null || lines.length !== 1) return null;
  const offset = Number(lines[0]);
  return Number.isSafeInteger(offset) && offset >= 0 ? offset : null;
}

export function syncDirectory(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
