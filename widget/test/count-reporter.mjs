// A @web/test-runner reporter that writes the run's pass/fail counts as JSON, for scripts/test-all.ts.
import { writeFileSync } from 'node:fs';

function countSuite(suite, acc) {
  for (const t of suite.tests ?? []) {
    if (t.skipped) acc.skipped++;
    else if (t.passed) acc.passed++;
    else acc.failed++;
  }
  for (const s of suite.suites ?? []) countSuite(s, acc);
}

export function countReporter(file) {
  return {
    onTestRunFinished({ sessions }) {
      const acc = { passed: 0, failed: 0, skipped: 0, brokenFiles: 0 };
      for (const session of sessions) {
        if (session.testResults) countSuite(session.testResults, acc);
        // a file that failed to load or threw outside a test counts as one failure
        if (!session.passed && (session.errors?.length ?? 0) > 0) acc.brokenFiles++;
      }
      if (file) writeFileSync(file, JSON.stringify(acc));
    },
  };
}
