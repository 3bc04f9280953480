// Checks of the Conv Lab panel's webview DOM, which only the browser can reach (the extension
// host cannot see inside a webview: an iframe inside an iframe).
// - answerWebviewChecks runs while the integration suite runs, in step with
//   test/integration/panel.test.ts through files in a handshake folder: the suite shows cell 89 in
//   a theme, writes `<theme>.ready`; this checks the DOM, saves a screenshot of the panel, and
//   answers `<theme>.done` = { ok, message }, which the suite asserts.
// - checkPanelRestore is a launch of its own (test/integration/restore/index.ts in the extension
//   host): the panel shows cell 89, the window reloads, the panel must come back with it.
import fs from 'node:fs';
import path from 'node:path';
import { startCodeServer, workbenchUrl } from './codeServer.mjs';
import { repoRoot } from './install.mjs';
import { prepareLaunch } from './suite.mjs';

/** The environment variable through which the suite learns the handshake folder (panel.test.ts reads it). */
export const WEBVIEW_CHECK_ENV = 'CONV_LAB_WEBVIEW_CHECK_DIR';
export const THEMES = ['light', 'dark', 'high-contrast'];
const RESTORE_CHECK_ENV = 'CONV_LAB_RESTORE_CHECK_DIR';
const RESTORE_ENTRY = path.join(repoRoot, 'out', 'test', 'integration', 'restore', 'index.js');

/** Cell 89 of the seed: conv_transpose2d of [[0, 1], [2, 3]] with itself, row by row. */
const CELL_89_OUTPUT = ['0', '0', '1', '0', '4', '6', '4', '12', '9'];
const OUTPUT_CANVAS = 'section[aria-labelledby="heading-output"] canvas[data-role="output"]';

async function waitForFile(file, timeoutMs, stopped) {
  const deadline = Date.now() + timeoutMs;
  while (!fs.existsSync(file)) {
    if (Date.now() > deadline || stopped()) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

/** The frame holding the panel's document showing `selector` (VS Code nests it in `iframe.webview` → `#active-frame`). */
async function panelFrame(page, timeoutMs, selector = OUTPUT_CANVAS) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      if (await frame.$(selector).catch(() => null)) return frame;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no webview frame with ${selector} within ${timeoutMs} ms`);
}

/** Throws unless the panel shows cell 89's output, with its label. */
async function expectCell89(page, timeoutMs) {
  const frame = await panelFrame(page, timeoutMs);
  const label = await frame.getAttribute(OUTPUT_CANVAS, 'aria-label');
  if (!label?.startsWith('output [1, 1, 3, 3]')) throw new Error(`the output canvas is labelled ${JSON.stringify(label)}, expected it to start with "output [1, 1, 3, 3]"`);
  return frame;
}

/** "Copy output as PyTorch" goes to the host, which copies and says so in the panel (the suite checks the clipboard). */
async function checkCopy(frame) {
  await frame.locator('button[aria-label="Copy output as PyTorch"]').focus();
  await frame.page().keyboard.press('Enter');
  const expected = 'Copied the output [1, 1, 3, 3] as a PyTorch literal.';
  await frame.locator('#notice', { hasText: expected }).waitFor({ timeout: 5_000 }).catch(async () => {
    throw new Error(`after "Copy output as PyTorch" the panel says ${JSON.stringify(await frame.textContent('#notice'))}, expected ${JSON.stringify(expected)}`);
  });
}

/** The panel's CSP allows nothing by default and scripts only by nonce; no element has an inline handler. */
async function checkSecurity(frame) {
  const csp = await frame.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
  if (!csp?.startsWith("default-src 'none';") || !/script-src 'nonce-[^']+'/.test(csp) || /unsafe-inline|unsafe-eval/.test(csp)) {
    throw new Error(`the panel's Content-Security-Policy is ${JSON.stringify(csp)}`);
  }
  const inlineHandlers = await frame.$$eval('*', (elements) => elements.flatMap((e) => e.getAttributeNames().filter((a) => a.startsWith('on')).map((a) => `${e.tagName.toLowerCase()}[${a}]`)));
  if (inlineHandlers.length > 0) throw new Error(`inline event handlers in the panel: ${inlineHandlers.join(', ')}`);
}

/** The panel's outer iframe element in the workbench page, for screenshots. */
async function panelIframe(page, frame) {
  for (const iframe of await page.$$('iframe.webview')) {
    const inner = await (await iframe.contentFrame())?.$('#active-frame');
    if (inner && (await inner.contentFrame()) === frame) return iframe;
  }
  throw new Error('the panel frame is not inside any iframe.webview of the workbench');
}

/** Presses a control in the panel with the keyboard (every control must be operable with it). */
async function press(frame, selector) {
  await frame.locator(selector).focus();
  await frame.page().keyboard.press('Enter');
}

/** The numbers of the table `name` in the panel. */
async function tableNumbers(frame, name) {
  return (await frame.locator(`table[data-name="${name}"] td`).allTextContents()).map(Number);
}

/**
 * The views beyond Tensors, on cell 89: the scatter's running sum after every step equals the
 * core's (the suite sends it), stride=2 re-runs the op and the output shape follows, an invalid
 * output_padding shows PyTorch's message, and "Save view as PNG" reaches the host.
 */
async function checkViews(frame, expected) {
  await press(frame, '#tab-scatter');
  await press(frame, '#step-first');
  for (let step = 0; step < expected.scatterSums.length; step++) {
    if (step > 0) await press(frame, '#step-forward');
    const want = expected.scatterSums[step].join();
    const deadline = Date.now() + 5_000;
    let got = '';
    while (Date.now() < deadline && (got = (await tableNumbers(frame, 'running-sum')).join()) !== want) await frame.waitForTimeout(50);
    if (got !== want) throw new Error(`the scatter's running sum after ${step} steps is [${got}], the core's is [${want}]`);
  }
  // Play runs the steps to the end by itself; with reduced motion there is no Play, only manual steps.
  await press(frame, '#step-first');
  await press(frame, '#step-play');
  const last = expected.scatterSums[expected.scatterSums.length - 1].join();
  const playDeadline = Date.now() + 10_000;
  while (Date.now() < playDeadline && (await tableNumbers(frame, 'running-sum')).join() !== last) await frame.waitForTimeout(100);
  if ((await tableNumbers(frame, 'running-sum')).join() !== last) throw new Error('Play did not run the scatter to its last step within 10 s');
  await frame.$eval('body', (body) => body.classList.add('vscode-reduce-motion'));
  await frame.locator('#step-play[disabled]').waitFor({ timeout: 5_000 }).catch(() => {
    throw new Error('with the vscode-reduce-motion class the Play button is still enabled');
  });
  await frame.$eval('body', (body) => body.classList.remove('vscode-reduce-motion'));
  await frame.locator('#step-play:not([disabled])').waitFor({ timeout: 5_000 });
  await press(frame, '#save-png');
  await frame.locator('#notice', { hasText: 'Saved the view as' }).waitFor({ timeout: 10_000 }).catch(async () => {
    throw new Error(`after "Save view as PNG" the panel says ${JSON.stringify(await frame.textContent('#notice'))}`);
  });

  await press(frame, '#tab-parameters');
  await setArgument(frame, 'stride', '2');
  await waitForShape(frame, expected.strideShape);
  await setArgument(frame, 'output_padding', '2');
  await frame.locator('#parameters-error').waitFor({ timeout: 10_000 }).catch(() => {
    throw new Error('with stride=2, output_padding=2 the Parameters view shows no error');
  });
  const message = await frame.textContent('#parameters-error');
  if (message !== expected.invalidMessage) throw new Error(`with stride=2, output_padding=2 the Parameters view says ${JSON.stringify(message)}, expected PyTorch's ${JSON.stringify(expected.invalidMessage)}`);
  await press(frame, '#parameters-reset');
  await waitForShape(frame, '[1, 1, 3, 3]');
}

/**
 * Types `value` into the Parameters view's field `name`, presses Enter (the op runs again) and
 * waits for the view to show that run, so the next field is typed into the redrawn view.
 */
async function setArgument(frame, name, value) {
  await frame.locator(`#param-${name}`).fill(value);
  await frame.locator(`#param-${name}`).press('Enter');
  await frame.locator('#parameters-result:not([aria-busy="true"])').waitFor({ timeout: 30_000 }).catch(() => {
    throw new Error(`after ${name}=${value} the Parameters view did not show the run within 30 s`);
  });
}

async function waitForShape(frame, shape) {
  await frame.locator('#parameters-shape', { hasText: shape }).waitFor({ timeout: 10_000 }).catch(async () => {
    throw new Error(`the Parameters view shows the output shape ${JSON.stringify(await frame.textContent('#parameters-shape').catch(() => null))}, expected ${shape}`);
  });
}

/**
 * The views shown in the README, one screenshot each: cell 89 stepped, hovered and as a matrix,
 * then stride=2 with a 3 × 3 kernel (output (2 − 1)·2 + (3 − 1) + 1 = 5) in Parameters and
 * the uneven overlap it gives; reset to cell 89 at the end.
 */
const SCREENSHOT_VIEWS = [
  { tab: 'scatter', steps: 3 },
  { tab: 'fields', hover: 'canvas[data-name="fields-output"]' },
  { tab: 'matrix', hover: 'canvas[data-name="matrix"]' },
  { tab: 'parameters', args: { stride: '2', kernel_size: '3, 3' }, shape: '[1, 1, 5, 5]' },
  { tab: 'overlap' },
];

async function screenshotViews(page, frame, theme, screenshotsDir) {
  for (const view of SCREENSHOT_VIEWS) {
    await press(frame, `#tab-${view.tab}`);
    if (view.steps) {
      await press(frame, '#step-first');
      for (let i = 0; i < view.steps; i++) await press(frame, '#step-forward');
    }
    for (const [name, value] of Object.entries(view.args ?? {})) await setArgument(frame, name, value);
    if (view.shape) await waitForShape(frame, view.shape);
    if (view.hover) {
      // The middle output cell: its receptive field (or W's row) highlighted.
      const box = await frame.locator(view.hover).boundingBox();
      if (box) await page.mouse.move(box.x + box.width / 2, box.y + box.height / 3);
    }
    await screenshotPanel(page, frame, path.join(screenshotsDir, `panel-${view.tab}-${theme}.png`));
    await page.mouse.move(0, 0);
  }
  await press(frame, '#tab-parameters');
  await press(frame, '#parameters-reset');
  await waitForShape(frame, '[1, 1, 3, 3]');
  await press(frame, '#tab-tensors');
}

/** The panel cropped to its content (small PNGs for the README). */
async function screenshotPanel(page, frame, file) {
  const box = await (await panelIframe(page, frame)).boundingBox();
  if (!box) throw new Error('the panel iframe is not displayed');
  const content = await frame.$$eval('#app > *, .tensor, #view-body > * > *', (elements) => {
    const boxes = elements.map((e) => e.getBoundingClientRect());
    return { right: Math.max(...boxes.map((b) => b.right)), bottom: Math.max(...boxes.map((b) => b.bottom)) };
  });
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await page.screenshot({
    path: file,
    clip: { x: box.x, y: box.y, width: Math.min(box.width, content.right + 16), height: Math.min(box.height, content.bottom + 16) },
  });
}

async function checkTheme(page, theme, screenshotsDir, expected) {
  const frame = await expectCell89(page, 10_000);
  await checkSecurity(frame);
  const toggle = frame.locator('#table-toggle');
  if ((await toggle.getAttribute('aria-pressed')) !== 'true') {
    // The keyboard, not a click: the toggle must be operable with it.
    await toggle.focus();
    await frame.page().keyboard.press('Enter');
  }
  const cells = frame.locator('section[aria-labelledby="heading-output"] table.values td');
  await cells.first().waitFor({ timeout: 5_000 });
  const values = await cells.allTextContents();
  if (values.join() !== CELL_89_OUTPUT.join()) throw new Error(`the output table shows ${values.join(', ')}, expected cell 89's ${CELL_89_OUTPUT.join(', ')}`);
  if (theme === THEMES[0]) {
    await checkCopy(frame);
    await checkViews(frame, expected);
    await press(frame, '#tab-tensors');
  }
  await screenshotPanel(page, frame, path.join(screenshotsDir, `panel-${theme}.png`));
  if (theme !== 'high-contrast') await screenshotViews(page, frame, theme, screenshotsDir);
}

/**
 * Answers the suite's handshake for every theme; returns failures the suite cannot report itself
 * (it never got as far as the handshake, or the answer could not be written). Never rejects: it
 * runs beside the suite, and a rejection nobody awaits yet would end the runner.
 * @param {import('playwright-core').Page} page
 * @param {{ dir: string, screenshotsDir: string, timeoutMs: number, stopped: () => boolean }} options
 * @returns {Promise<{ title: string, message: string }[]>}
 */
export async function answerWebviewChecks(page, options) {
  try {
    const [failures] = await Promise.all([answerEveryTheme(page, options), answerEditorShots(page, options), answerModelViewChecks(page, options, 'summary', checkSummary), answerModelViewChecks(page, options, 'sizes', checkSizes)]);
    return failures;
  } catch (e) {
    return [{ title: 'panel webview check', message: e instanceof Error ? e.message.split('\n')[0] : String(e) }];
  }
}

/**
 * Screenshots of the workbench the suite asks for (analysis.test.ts shows a hover, inlay hints
 * and a diagnostic): `<name>.shot` in the handshake folder → `<name>.png` beside the panel's,
 * answered with `<name>.shot-done`. Runs until the suite is over.
 */
async function answerEditorShots(page, { dir, screenshotsDir, stopped }) {
  const answered = new Set();
  while (!stopped()) {
    for (const file of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
      if (!file.endsWith('.shot') || answered.has(file)) continue;
      answered.add(file);
      const name = file.slice(0, -'.shot'.length);
      fs.mkdirSync(screenshotsDir, { recursive: true });
      await page.screenshot({ path: path.join(screenshotsDir, `${name}.png`) }).catch(() => undefined);
      fs.writeFileSync(path.join(dir, `${name}.shot-done`), '');
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A model view's checks (summary.test.ts and summaryInputSizes.test.ts show the view in a theme and
 * write `<view>-<theme>.ready`, JSON of what to check): `check(page, ready, screenshotFile)` reads
 * the view (and saves `panel-<view>-<theme>.png`), and its answer goes to `<view>-<theme>.done` as
 * { ok, message, ...answer }, which the suite asserts. Runs until the suite is over.
 */
async function answerModelViewChecks(page, { dir, screenshotsDir, stopped }, view, check) {
  const answered = new Set();
  const pattern = new RegExp(`^${view}-(.+)\\.ready$`);
  while (!stopped()) {
    for (const file of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
      const theme = pattern.exec(file)?.[1];
      if (!theme || answered.has(theme)) continue;
      answered.add(theme);
      let answer;
      try {
        answer = { ok: true, message: '', ...(await check(page, JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')), path.join(screenshotsDir, `panel-${view}-${theme}.png`))) };
      } catch (e) {
        answer = { ok: false, message: e instanceof Error ? e.message.split('\n')[0] : String(e) };
      }
      fs.writeFileSync(path.join(dir, `${view}-${theme}.done`), JSON.stringify(answer));
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The Summary view (`summary-<theme>.ready` = { click, depth }): reads the rows' names and MACs,
 * sets the depth control and reads the rows left, clicks the row named `click` (the host reveals
 * its call), presses Copy as Markdown (the host copies it) and reads the input sizes' lines; answers { names, macs, namesAtDepth, sizes }.
 */
async function checkSummary(page, { click, depth }, screenshotFile) {
  const frame = await panelFrame(page, 15_000, '#summary-table');
  await checkSecurity(frame);
  const names = () => frame.locator('#summary-table tbody .row-link').allTextContents();
  const all = await names();
  // The MACs column: the 8th cell after the row's name (share bars, input, output, kernel, groups, params, % params, MACs).
  const macs = await frame.locator('#summary-table tbody td:nth-of-type(8)').allTextContents();
  await screenshotPanel(page, frame, screenshotFile);
  const setDepth = async (value) => {
    await frame.locator('#summary-depth').fill(String(value));
    await frame.locator('#summary-depth').dispatchEvent('change');
  };
  await setDepth(depth);
  const namesAtDepth = await names();
  // Back to every row (the control keeps the value within the deepest row's depth).
  await setDepth(99);
  await frame.locator('#summary-table tbody .row-link', { hasText: click }).first().click();
  // An earlier copy's notice may still be shown: this copy's is waited for.
  await frame.$eval('#notice', (notice) => { notice.textContent = ''; });
  // A mouse click, not focus + Enter: the row's click has the host reveal the call, which moves the
  // focus to the editor at a moment of its own; an Enter sent after it landed in the editor's text.
  await frame.locator('#summary-copy-markdown').click();
  await frame.locator('#notice', { hasText: 'as a Markdown table' }).waitFor({ timeout: 5_000 }).catch(async () => {
    throw new Error(`after "Copy as Markdown" the panel says ${JSON.stringify(await frame.textContent('#notice'))}`);
  });
  // The model's input sizes join the view when the worker's sweep is done.
  await frame.locator('#summary-sizes').waitFor({ timeout: 20_000 });
  const sizes = await frame.locator('#summary-sizes p[data-axis]').allTextContents();
  return { names: all, macs, namesAtDepth, sizes };
}

/**
 * The Input sizes view (`sizes-<theme>.ready` = { titles }): reads each strip's label, rules and
 * description, its cells' statuses and sizes, the sizes outlined as the input's, the tooltips of
 * the sizes `titles` names and the cells' colours; answers { strips }.
 */
async function checkSizes(page, { titles }, screenshotFile) {
  const frame = await panelFrame(page, 15_000, '#sizes-view .size-strip');
  await checkSecurity(frame);
  const strips = await frame.$$eval('#sizes-view .sizes-axis', (sections, sizes) => sections.map((section) => {
    const cells = [...section.querySelectorAll('.size-cell')];
    return {
      label: section.getAttribute('data-axis'),
      rules: [...section.querySelectorAll('.sizes-rules strong')].map((r) => r.textContent),
      description: section.querySelector('.size-strip')?.getAttribute('aria-label') ?? '',
      status: cells.map((c) => c.getAttribute('data-status')),
      sizes: cells.map((c) => Number(c.getAttribute('data-size'))),
      given: cells.filter((c) => c.classList.contains('given')).map((c) => Number(c.getAttribute('data-size'))),
      titles: sizes.map((size) => cells[size - 1]?.getAttribute('title') ?? null),
      // A cell drawn in the theme's colour, not left transparent (the CSS variables resolved).
      colours: [...new Set(cells.map((c) => c.ownerDocument.defaultView?.getComputedStyle(c).backgroundColor))],
    };
  }), titles);
  await screenshotPanel(page, frame, screenshotFile);
  return { strips };
}

async function answerEveryTheme(page, { dir, screenshotsDir, timeoutMs, stopped }) {
  for (const theme of THEMES) {
    if (!(await waitForFile(path.join(dir, `${theme}.ready`), timeoutMs, stopped))) {
      return [{ title: `panel webview check (${theme})`, message: 'the suite never showed the panel for the check (panel.test.ts did not reach it)' }];
    }
    let answer;
    try {
      // The suite's expectations, computed by the core (empty for themes that need none).
      const ready = fs.readFileSync(path.join(dir, `${theme}.ready`), 'utf8');
      await checkTheme(page, theme, screenshotsDir, ready ? JSON.parse(ready) : {});
      answer = { ok: true, message: '' };
    } catch (e) {
      answer = { ok: false, message: e instanceof Error ? e.message.split('\n')[0] : String(e) };
    }
    fs.writeFileSync(path.join(dir, `${theme}.done`), JSON.stringify(answer));
    if (!answer.ok) break; // the suite fails on this answer and asks for no further theme
  }
  return [];
}

/**
 * The panel after a window reload: shows cell 89 (restore/index.ts), reloads the workbench page,
 * and expects the serializer to bring the panel back with cell 89 from the webview's state.
 * @param {import('playwright-core').Browser} browser
 * @param {import('./install.mjs').CodeServer} codeServer
 * @param {{ timeoutMs: number }} options
 * @returns {Promise<{ passed: number, failures: { title: string, message: string }[] }>}
 */
export async function checkPanelRestore(browser, codeServer, { timeoutMs }) {
  const title = 'the panel restores after a window reload';
  if (!fs.existsSync(RESTORE_ENTRY)) return { passed: 0, failures: [{ title, message: `${RESTORE_ENTRY} is missing: run \`node esbuild.js\`` }] };
  const { dir, workspace } = prepareLaunch();
  let server;
  let page;
  try {
    server = await startCodeServer(codeServer, { userDataDir: path.join(dir, 'user-data'), extensionsDir: path.join(dir, 'extensions'), env: { [RESTORE_CHECK_ENV]: dir } });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(workbenchUrl(server, { folder: workspace, extensionTestsPath: RESTORE_ENTRY, extensionDevelopmentPath: repoRoot }), { timeout: timeoutMs });
    const shown = path.join(dir, 'shown');
    if (!(await waitForFile(shown, timeoutMs, () => false))) throw new Error(`the extension host did not show the panel within ${timeoutMs / 1000} s`);
    const before = JSON.parse(fs.readFileSync(shown, 'utf8'));
    if (!before.ok) throw new Error(`showing the panel: ${before.message}`);
    const shownFrame = await expectCell89(page, 10_000);
    // The extension host reloads the window (as users do: the workbench saves its state first).
    const reloaded = page.waitForEvent('load', { timeout: timeoutMs });
    fs.writeFileSync(path.join(dir, 'reload'), '');
    await reloaded;
    if (!shownFrame.isDetached()) throw new Error('the window did not reload');
    await expectCell89(page, 30_000).catch((e) => {
      throw new Error(`after the reload: ${e instanceof Error ? e.message : String(e)}`);
    });
    return { passed: 1, failures: [] };
  } catch (e) {
    return { passed: 0, failures: [{ title, message: e instanceof Error ? e.message.split('\n')[0] : String(e) }] };
  } finally {
    await page?.close().catch(() => undefined);
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
