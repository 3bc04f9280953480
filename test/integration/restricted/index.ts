// The Restricted Mode launch's entry (`extensionTestsPath`): the suite runner of index.ts, run on
// the *.test.js files of this folder, in a workspace VS Code does not trust.
export { run } from '../index';
