// Drives a code-server workbench in Debian's Chromium through playwright-core,
// the way a user would: read the status bar, run a command from the palette,
// look inside the panel's webview, take screenshots.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Frame, type FrameLocator, type Page } from 'playwright-core';

/** Debian's Chromium (apt package `chromium`); CCM_CHROMIUM overrides it. */
export const CHROMIUM_PATH = process.env.CCM_CHROMIUM ?? '/usr/bin/chromium';

export interface Workbench {
  browser: Browser;
  page: Page;
  /** Closes the browser (and its temporary profile). Safe to call twice. */
  close(): Promise<void>;
}

export interface OpenWorkbenchOptions {
  /** How long to wait for `.monaco-workbench`; default 60 s. */
  timeoutMs?: number;
  viewport?: { width: number; height: number };
  /** A script every page of the browser runs before the workbench's own (e.g. a bench's status bar recorder). */
  initScript?: string;
}

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  // Only the local server resolves: nothing the workbench asks for leaves the machine.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost',
];

/**
 * Opens `url` (a code-server address, its own query such as `payload` kept)
 * with `?folder=FOLDER` in Chromium and waits for the workbench to render.
 */
export async function openWorkbench(url: string, folder: string, opts: OpenWorkbenchOptions = {}): Promise<Workbench> {
  // Chromium keeps crash reports and GTK settings under XDG folders: give it
  // its own, deleted on close (playwright makes and deletes the profile itself).
  const homeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccm-chromium-'));
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined) {
      env[key] = value;
    }
  }
  Object.assign(env, {
    XDG_CONFIG_HOME: path.join(homeDir, 'config'),
    XDG_CACHE_HOME: path.join(homeDir, 'cache'),
    XDG_DATA_HOME: path.join(homeDir, 'data'),
  });
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, env });
  } catch (err) {
    fs.rmSync(homeDir, { recursive: true, force: true });
    throw err;
  }
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closed ??= browser
      .close()
      .catch(() => undefined)
      .finally(() => fs.rmSync(homeDir, { recursive: true, force: true, maxRetries: 3 })));
  try {
    const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1400, height: 900 } });
    if (opts.initScript !== undefined) {
      await context.addInitScript(opts.initScript);
    }
    const page = await context.newPage();
    await page.goto(workbenchUrl(url, folder));
    await page.locator('.monaco-workbench').first().waitFor({ state: 'visible', timeout: opts.timeoutMs ?? 60_000 });
    return { browser, page, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Opens one more workbench window (a page of the same browser) on `folder`, and waits for it to render. */
export async function openAnotherWindow(wb: Workbench, url: string, folder: string, timeoutMs = 60_000): Promise<Page> {
  const page = await wb.page.context().newPage();
  await page.goto(workbenchUrl(url, folder));
  await page.locator('.monaco-workbench').first().waitFor({ state: 'visible', timeout: timeoutMs });
  return page;
}

/** `url` with its `folder` query set to `folder` (other query parameters kept). */
export function workbenchUrl(url: string, folder: string): string {
  const u = new URL(url);
  u.searchParams.set('folder', path.resolve(folder));
  return u.toString();
}

/** The text of every status bar item, in order, trimmed; empty ones left out. */
export async function statusBarTexts(page: Page): Promise<string[]> {
  const texts = await page.locator('.statusbar-item').allInnerTexts();
  return texts.map((t) => t.replace(/\s+/g, ' ').trim()).filter((t) => t !== '');
}

/** Waits until some status bar item's text satisfies `predicate`, and returns that text. */
export async function waitForStatusBarText(
  page: Page,
  predicate: (text: string) => boolean,
  timeoutMs = 30_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last: string[] = [];
  for (;;) {
    last = await statusBarTexts(page);
    const hit = last.find(predicate);
    if (hit !== undefined) {
      return hit;
    }
    if (Date.now() >= deadline) {
      throw new Error(`no status bar item matched within ${timeoutMs} ms; saw: ${JSON.stringify(last)}`);
    }
    await page.waitForTimeout(200);
  }
}

/** The document of the active webview panel (two iframes deep in the workbench). */
export function webviewFrame(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview').frameLocator('iframe#active-frame');
}

/** Runs a command by its title from the command palette (F1, type, Enter). */
/** Runs a command from the palette; pass `waitClosed: false` for a command that opens its own quick input. */
export async function runCommand(page: Page, title: string, timeoutMs = 10_000, waitClosed = true): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  await page.keyboard.press('F1');
  const opened = await input.waitFor({ state: 'visible', timeout: 2000 }).then(
    () => true,
    () => false,
  );
  if (!opened) {
    // The palette needs the keyboard focus inside the workbench.
    await page.locator('.monaco-workbench .part.editor').first().click();
    await page.keyboard.press('F1');
  }
  await input.waitFor({ state: 'visible', timeout: timeoutMs });
  await input.fill(`>${title}`);
  const rows = page.locator('.quick-input-list .monaco-list-row');
  await rows.filter({ hasText: title }).first().waitFor({ state: 'visible', timeout: timeoutMs });
  // Enter runs the focused row: make sure it is the one with this title.
  const focused = rows.and(page.locator('.focused'));
  if (!((await focused.count()) > 0 && (await focused.first().innerText()).includes(title))) {
    await rows.filter({ hasText: title }).first().hover();
    await rows.filter({ hasText: title }).first().click();
  } else {
    await page.keyboard.press('Enter');
  }
  if (waitClosed) {
    await input.waitFor({ state: 'hidden', timeout: timeoutMs });
  }
}

/** The text of every notification toast on screen (errors, warnings, info). */
export async function notificationTexts(page: Page): Promise<string[]> {
  const texts = await page.locator('.notifications-toasts .notification-toast .notification-list-item-message').allInnerTexts();
  return texts.map((t) => t.trim()).filter((t) => t !== '');
}

/** A PNG of the whole workbench at `file` (its folder is created). */
export async function screenshot(page: Page, file: string): Promise<void> {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  await page.screenshot({ path: file });
}

/**
 * The live frame (a webview's, e.g. the cost panel) that shows `selector`.
 * A webview is rebuilt when shown again, so only attached frames count.
 */
export async function frameShowing(page: Page, selector: string, timeoutMs = 15_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      try {
        if (!frame.isDetached() && (await frame.locator(selector).count()) > 0) {
          return frame;
        }
      } catch {
        // frame detached while looking
      }
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no frame shows ${selector}`);
}

/** Closes the browser, stops the test VS Code (by its process group) and deletes the test's temp folder. */
export async function tearDown(wb: Workbench | undefined, server: { stop(): Promise<void> } | undefined, tempDir: string): Promise<void> {
  await wb?.close();
  await server?.stop();
  if (tempDir) {
    fs.rmSync(tempDir, { recursive: true, force: true });
  }
}
