// Checks of the Conv Lab panel's webview DOM, which only the browser can reach (the extension
// host cannot see inside a webview: an iframe inside an iframe). Runs while the integration suite
// runs, in step with test/integration/panel.test.ts through files in a handshake folder:
//   the suite shows cell 89 in a theme, writes `<theme>.ready`; this checks the DOM, saves a
//   screenshot of the panel, and answers `<theme>.done` = { ok, message }, which the suite asserts.
import fs from 'node:fs';
import path from 'node:path';

/** The environment variable through which the suite learns the handshake folder (panel.test.ts reads it). */
export const WEBVIEW_CHECK_ENV = 'CONV_LAB_WEBVIEW_CHECK_DIR';
export const THEMES = ['light', 'dark'];

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

/** The frame holding the panel's document (VS Code nests it in `iframe.webview` → `#active-frame`). */
async function panelFrame(page, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      if (await frame.$(OUTPUT_CANVAS).catch(() => null)) return frame;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no webview frame with ${OUTPUT_CANVAS} within ${timeoutMs} ms`);
}

/** The panel's outer iframe element in the workbench page, for screenshots. */
async function panelIframe(page, frame) {
  for (const iframe of await page.$$('iframe.webview')) {
    const inner = await (await iframe.contentFrame())?.$('#active-frame');
    if (inner && (await inner.contentFrame()) === frame) return iframe;
  }
  throw new Error('the panel frame is not inside any iframe.webview of the workbench');
}

async function checkTheme(page, theme, screenshotsDir) {
  const frame = await panelFrame(page, 10_000);
  const label = await frame.getAttribute(OUTPUT_CANVAS, 'aria-label');
  if (!label?.startsWith('output [1, 1, 3, 3]')) throw new Error(`the output canvas is labelled ${JSON.stringify(label)}, expected it to start with "output [1, 1, 3, 3]"`);
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
  const iframe = await panelIframe(page, frame);
  fs.mkdirSync(screenshotsDir, { recursive: true });
  await iframe.screenshot({ path: path.join(screenshotsDir, `panel-${theme}.png`) });
}

/**
 * Answers the suite's handshake for every theme; returns failures the suite cannot report itself
 * (it never got as far as the handshake).
 * @param {import('playwright-core').Page} page
 * @param {{ dir: string, screenshotsDir: string, timeoutMs: number, stopped: () => boolean }} options
 * @returns {Promise<{ title: string, message: string }[]>}
 */
export async function answerWebviewChecks(page, { dir, screenshotsDir, timeoutMs, stopped }) {
  for (const theme of THEMES) {
    if (!(await waitForFile(path.join(dir, `${theme}.ready`), timeoutMs, stopped))) {
      return [{ title: `panel webview check (${theme})`, message: 'the suite never showed the panel for the check (panel.test.ts did not reach it)' }];
    }
    let answer;
    try {
      await checkTheme(page, theme, screenshotsDir);
      answer = { ok: true, message: '' };
    } catch (e) {
      answer = { ok: false, message: e instanceof Error ? e.message.split('\n')[0] : String(e) };
    }
    fs.writeFileSync(path.join(dir, `${theme}.done`), JSON.stringify(answer));
  }
  return [];
}
