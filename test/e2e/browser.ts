// A real browser for end-to-end tests: Debian's Chromium (installed by .ci/run, never
// downloaded) driven by playwright-core, with a fresh profile per launch. Pages — with
// JavaScript on, or off — are watched for console errors and uncaught exceptions, checked with
// axe-core, and photographed into a folder under the OS temp dir that the test prints.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';
/** Headless, no sandbox (tests run as root), nothing that reaches the network on its own. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };
/** axe-core impacts a page must not have. */
export const AXE_FORBIDDEN_IMPACTS: readonly string[] = ['serious', 'critical'];

export interface Browser {
  context: BrowserContext;
  /** Where this browser's screenshots go (under the OS temp dir; kept for a person to look at). */
  screenshots: string;
  close(): Promise<void>;
}

/** Launches Chromium with a fresh user-data-dir, removed on close. */
export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'witan-chromium-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: DESKTOP,
  });
  return {
    context,
    screenshots: mkdtempSync(join(tmpdir(), 'witan-browser-screenshots-')),
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * A new page of the browser on which no script runs (Chromium's own switch, through the
 * debugging protocol): what a person with JavaScript turned off sees. The test can still
 * evaluate in it, but not wait on timers: axe-core needs `allowScripts()` first.
 */
export async function pageWithoutJavaScript(
  browser: Browser,
): Promise<{ page: Page; allowScripts(): Promise<void> }> {
  const page = await browser.context.newPage();
  const cdp = await browser.context.newCDPSession(page);
  await cdp.send('Emulation.setScriptExecutionDisabled', { value: true });
  return {
    page,
    async allowScripts() {
      await cdp.send('Emulation.setScriptExecutionDisabled', { value: false });
    },
  };
}

export interface ConsoleProblem {
  kind: 'console' | 'pageerror';
  text: string;
  /** The resource the message is about, when the browser names one. */
  url: string;
}

/** Collects console errors and uncaught exceptions of a page from now on. */
export function watchConsole(page: Page): ConsoleProblem[] {
  const problems: ConsoleProblem[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push({ kind: 'console', text: m.text(), url: m.location().url });
  });
  page.on('pageerror', (err) => problems.push({ kind: 'pageerror', text: err.message, url: '' }));
  return problems;
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Runs axe-core in the page (injected through the debugging protocol, so the page's CSP stands). */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: {
          run(
            context: unknown,
            options: unknown,
          ): Promise<{
            violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
          }>;
        };
      }
    ).axe;
    // The page's document (this function runs in the page; the test's own types have no DOM).
    const doc = (globalThis as unknown as { document: unknown }).document;
    const result = await axe.run(doc, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(' ')),
    }));
  });
}

/** A full-page screenshot at the given size, saved as <name>.png in the browser's folder. */
export async function screenshot(
  browser: Browser,
  page: Page,
  name: string,
  size: { width: number; height: number },
): Promise<string> {
  await page.setViewportSize(size);
  const path = join(browser.screenshots, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
