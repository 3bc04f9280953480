// The integration suite's entry, loaded by VS Code as `extensionTestsPath` (by our code-server
// runner and by @vscode/test-electron alike): runs every `*.test.js` beside it with mocha inside
// the extension host, and writes the outcome where the runner asked (CONV_LAB_TEST_RESULTS).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { format } from 'node:util';
import Mocha from 'mocha';

/** What the runner reads back; the extension host's own stdout is not reliably visible to it. */
export interface SuiteResults {
  readonly passed: number;
  readonly failed: number;
  readonly failures: readonly { readonly title: string; readonly message: string }[];
  /** What mocha's reporter and the tests' `report()` printed, in order. */
  readonly output: readonly string[];
}

export const RESULTS_FILE_ENV = 'CONV_LAB_TEST_RESULTS';
/** A pattern of test titles to run alone while working on them (every test runs without it). */
const GREP_ENV = 'CONV_LAB_TEST_GREP';

/**
 * Copies what mocha's reporter prints into `lines`, still printing it. The reporter prints
 * through `Base.consoleLog`, which the tests' `report()` also uses: VS Code's extension host
 * makes `console.log` unassignable, so console output itself cannot be captured. Returns the undo.
 */
function captureReporterOutput(lines: string[]): () => void {
  const original = Mocha.reporters.Base.consoleLog;
  Mocha.reporters.Base.consoleLog = (...args: unknown[]) => {
    lines.push(format(...args));
    original(...args);
  };
  return () => {
    Mocha.reporters.Base.consoleLog = original;
  };
}

function writeResults(results: SuiteResults): void {
  const file = process.env[RESULTS_FILE_ENV];
  if (file) fs.writeFileSync(file, JSON.stringify(results, null, 2));
}

export function run(): Promise<void> {
  const grep = process.env[GREP_ENV];
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, ...(grep ? { grep } : {}) });
  const testFiles = fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort();
  for (const file of testFiles) mocha.addFile(path.join(__dirname, file));

  const output: string[] = [];
  const failures: { title: string; message: string }[] = [];
  let passed = 0;
  const restoreOutput = captureReporterOutput(output);
  return new Promise<void>((resolve, reject) => {
    const finish = (error?: Error) => {
      restoreOutput();
      writeResults({ passed, failed: failures.length, failures, output });
      if (error) reject(error);
      else resolve();
    };
    try {
      mocha
        .run((failureCount) => {
          if (failureCount > 0) finish(new Error(`${failureCount} integration test(s) failed`));
          else if (passed === 0) finish(new Error(`no integration test ran (looked for *.test.js in ${__dirname})`));
          else finish();
        })
        .on('pass', () => {
          passed++;
        })
        .on('fail', (test, error: unknown) => {
          failures.push({ title: test.fullTitle(), message: error instanceof Error ? error.message : String(error) });
        });
    } catch (error) {
      // A test file that throws while loading: report it as a failure rather than nothing.
      const message = error instanceof Error ? error.message : String(error);
      failures.push({ title: 'loading the integration tests', message });
      finish(new Error(message));
    }
  });
}
