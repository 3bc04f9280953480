// Drives Debian's Chromium with playwright-core (never a downloaded browser) to open a workbench
// URL and wait for the extension tests to report through `codeAutomationExit`.
import fs from 'node:fs';
import { chromium } from 'playwright-core';

const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

// No sandbox as root; nothing that reaches for the network (updates, sync, GPU blocklists).
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--no-first-run',
];

/** The Chromium to drive: `$CHROMIUM_PATH` or Debian's. */
export function chromiumPath() {
  const candidates = [process.env['CHROMIUM_PATH'], ...CHROMIUM_CANDIDATES].filter(Boolean);
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found) throw new Error(`no Chromium found (tried ${candidates.join(', ')}): apt-get install chromium, or set CHROMIUM_PATH`);
  return found;
}

/** Starts Chromium headless. */
export function launchChromium() {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS });
}

/**
 * @typedef {{ exitCode: number | undefined, timedOut: boolean, workbenchLogs: { relativePath: string, contents: string }[] }} WorkbenchRun
 * `exitCode` is what the workbench passed to codeAutomationExit; undefined on timeout.
 */

/**
 * Opens `url` in a new page and waits (at most `timeoutMs`) for the workbench to call
 * `codeAutomationExit`, which it does once the extension tests settle. On failure or timeout a
 * screenshot is saved to `screenshotFile`.
 * `duringRun`, if given, drives the page while the suite runs (e.g. webview checks); it is told
 * when the run is over and awaited before the page closes; its result is `duringRunResult`.
 * @param {import('playwright-core').Browser} browser
 * @param {{ url: string, timeoutMs: number, screenshotFile: string, onLog: (line: string) => void, duringRun?: (page: import('playwright-core').Page, isOver: () => boolean) => Promise<unknown> }} options
 * @returns {Promise<WorkbenchRun & { duringRunResult?: unknown }>}
 */
export async function runWorkbench(browser, { url, timeoutMs, screenshotFile, onLog, duringRun }) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  try {
    /** @type {(run: Omit<WorkbenchRun, 'timedOut'>) => void} */
    let settle = () => undefined;
    const exited = new Promise((resolve) => {
      settle = resolve;
    });
    // Both must exist before the workbench script runs, hence before navigating.
    let settled = false;
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      if (!settled) onLog(`[workbench ${type}] ${(Array.isArray(args) ? args : [args]).map(String).join(' ')}`);
    });
    await page.exposeFunction('codeAutomationExit', (code, logs) => {
      settle({ exitCode: Number(code), workbenchLogs: Array.isArray(logs) ? logs : [] });
    });
    page.on('pageerror', (error) => onLog(`[page error] ${error.message}`));
    let timer;
    const timedOut = new Promise((resolve) => {
      timer = setTimeout(() => resolve(undefined), timeoutMs);
    });
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: timeoutMs });
    let over = false;
    const during = duringRun?.(page, () => over);
    const result = await Promise.race([exited, timedOut]);
    clearTimeout(timer);
    over = true;
    const duringRunResult = await during;
    // What the workbench logs while shutting down would bury why it stopped.
    settled = true;
    const run = result === undefined
      ? { exitCode: undefined, timedOut: true, workbenchLogs: [] }
      : { ...result, timedOut: false };
    if (during) run.duringRunResult = duringRunResult;
    if (run.exitCode !== 0) await page.screenshot({ path: screenshotFile }).catch((e) => onLog(`[screenshot failed] ${e.message}`));
    return run;
  } finally {
    await page.close().catch(() => undefined);
  }
}
