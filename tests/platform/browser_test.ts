/// <reference lib="dom" />
// The page functions passed to Playwright run in the browser, so this file sees the DOM types.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import { buildDist, buildSkipReason, ROOT } from "./_build.ts";
import { serveStatic } from "../../examples/browser/serve.ts";

const CHROMIUM = "/usr/bin/chromium";
const skip = !existsSync(CHROMIUM)
  ? `${CHROMIUM} is absent (apt-get install -y chromium)`
  : !existsSync(join(ROOT, "node_modules/playwright-core"))
  ? "playwright-core is not installed (run npm ci)"
  : buildSkipReason();
/** Where screenshots go, for a human to look at. */
const SHOTS = join(tmpdir(), "kiln-browser-shots");

/**
 * Builds dist/, serves the repository (dist/ from the build), opens the example page in headless Chromium with the
 * extra flags, runs every guest and returns what the page showed.
 */
async function drivePage(extraArgs: string[], shot: string) {
  const { chromium } = await import("playwright-core");
  const dist = buildDist();
  const server = await serveStatic(ROOT, { mounts: { "/dist/": dist } });
  const profile = mkdtempSync(join(tmpdir(), "kiln-chromium-"));
  // A persistent context is how Playwright takes a fresh --user-data-dir (it refuses the flag in `args`).
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      ...extraArgs,
    ],
  });
  try {
    const page = context.pages()[0] ?? await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`${server.url}examples/browser/`);
    await page.waitForFunction(() => document.getElementById("status")?.textContent === "ready", null, {
      timeout: 30_000,
    });
    const native = await page.evaluate(() => typeof WebAssembly);
    const done = (n: number) =>
      page.waitForFunction((n) => document.getElementById("status")!.dataset.done === String(n), n, {
        timeout: 60_000,
      });
    const read = () =>
      page.evaluate(() => ({
        status: document.getElementById("status")!.textContent,
        output: document.getElementById("output")!.textContent,
      }));

    await page.click("#run-hello");
    await done(1);
    const hello = await read();

    await page.click("#run-echo");
    await done(2);
    const echo = await read();
    await page.screenshot({ path: join(SHOTS, `echo-${shot}`), fullPage: true });

    // A guest that never returns: the page must stay responsive and the Stop button must end it.
    await page.click("#run-loop");
    await page.waitForTimeout(700);
    const stillRunning = await read();
    await page.click("#stop");
    await done(3);
    const stopped = await read();

    // The same guest with a fuel limit ends by itself.
    await page.check("#fuel-limit");
    await page.click("#run-loop");
    await done(4);
    const outOfFuel = await read();

    await page.screenshot({ path: join(SHOTS, shot), fullPage: true });
    return { native, hello, echo, stillRunning, stopped, outOfFuel, errors };
  } finally {
    await context.close();
    await server.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

function assertPage(r: Awaited<ReturnType<typeof drivePage>>) {
  assert.deepEqual(r.errors, []);
  assert.equal(r.hello.status, "hello.wasm exited with code 0");
  assert.equal(r.hello.output, "Hello, world!\n");
  assert.equal(r.echo.status, "stdin_echo.wasm exited with code 0");
  // stderr is unbuffered, stdout is flushed at exit (libc does not see a terminal).
  assert.equal(r.echo.output, "read 36 bytes\ntyped into the page, read by fread()");
  assert.equal(r.stillRunning.status, "running loop.wasm…");
  assert.equal(r.stopped.status, "loop.wasm stopped: trap: interrupt");
  assert.equal(r.outOfFuel.status, "loop.wasm stopped: trap: all fuel consumed by WebAssembly");
}

test("browser example runs WASI guests in headless Chromium, and Stop/fuel end a runaway guest", {
  skip: skip ?? false,
  timeout: 180_000,
}, async () => {
  const r = await drivePage([], "normal.png");
  assert.equal(r.native, "object");
  assertPage(r);
});

test("browser example works under --jitless, where native WebAssembly is unavailable", {
  skip: skip ?? false,
  timeout: 180_000,
}, async () => {
  const r = await drivePage(["--js-flags=--jitless"], "jitless.png");
  assert.equal(r.native, "undefined", "--jitless should remove the WebAssembly global");
  assertPage(r);
});
