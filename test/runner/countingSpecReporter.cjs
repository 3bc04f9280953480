// mocha's spec reporter that also writes the run's counts and failures as JSON to the file named
// by CONV_LAB_UNIT_RESULTS, so `npm test` sums exact numbers instead of parsing text.
//   mocha --reporter test/runner/countingSpecReporter.cjs ...
const fs = require('node:fs');
const Mocha = require('mocha');

class CountingSpecReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const failures = [];
    runner.on('fail', (test, error) => {
      failures.push({ title: test.fullTitle(), message: error instanceof Error ? error.message : String(error) });
    });
    runner.once('end', () => {
      const file = process.env['CONV_LAB_UNIT_RESULTS'];
      if (!file) return;
      const { passes, failures: failed, pending } = runner.stats;
      fs.writeFileSync(file, JSON.stringify({ passed: passes, failed, pending, failures }, null, 2));
    });
  }
}

module.exports = CountingSpecReporter;
