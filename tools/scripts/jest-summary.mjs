// Sums the JSON reports jest wrote for every project into one line: "tests: N passed, M failed".
// A suite that failed to run (syntax error, crash) counts as one failed test so it is never silent.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] ?? 'tmp/jest';
let passed = 0;
let failed = 0;
let files = [];
try {
  files = readdirSync(dir).filter((f) => f.endsWith('.json'));
} catch {
  files = [];
}
for (const file of files) {
  const report = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests + report.numRuntimeErrorTestSuites;
}
if (files.length === 0) failed += 1;
console.log(`tests: ${passed} passed, ${failed} failed`);
