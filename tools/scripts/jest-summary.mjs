// Sums the JSON reports jest wrote for every project into one line: "tests: N passed, M failed".
// A suite that failed to run (syntax error, crash) counts as one failed test so it is never silent.
// Reports are the .jest-report.json files each project's test target writes (see nx.json).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const projectRoots = ['apps', 'libs'].flatMap((group) => readdirSync(group).map((name) => join(group, name))).concat('tools');
let passed = 0;
let failed = 0;
const files = projectRoots.map((root) => join(root, '.jest-report.json')).filter((file) => existsSync(file));
for (const file of files) {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests + report.numRuntimeErrorTestSuites;
}
if (files.length === 0) failed += 1;
// `--status N`: the exit status of the whole test command. A failure outside jest's counts (lint,
// typecheck, a project whose tests could not run) must not read as a clean run.
const statusAt = process.argv.indexOf('--status');
const status = statusAt > 0 ? Number(process.argv[statusAt + 1]) : 0;
if (status !== 0 && failed === 0) {
  console.log('the test command failed outside the jest counts (lint, typecheck or a test runner error); see above');
  failed = 1;
}
console.log(`tests: ${passed} passed, ${failed} failed`);
