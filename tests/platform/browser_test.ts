/// <reference lib="dom" />
// The page functions passed to Playwright run in the browser, so this file sees the DOM types.
//
// Drives the playground (examples/browser/) in headless Chromium, normally and with --jitless (no WebAssembly
// global), as a person would: samples, a user's .wasm and .wat from the file picker, drag-and-drop, a URL, arguments,
// environment, stdin, uploaded files, the written-file downloads, fuel and time limits and Stop. Any console error,
// uncaught exception, failed request or HTTP error status fails the test.
import { Buffer } from "node:buffer";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
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

/** What went wrong on the page: console errors, uncaught exceptions, failed requests, HTTP errors. */
interface Problems {
  console: string[];
  pageErrors: string[];
  requests: string[];
}

/**
 * Serves the repository (with `dist` mounted at /dist/ when given), opens the playground in headless Chromium with
 * the extra flags, and hands the page to `drive`. Returns what `drive` returns and the problems seen.
 */
async function withPlayground<T>(
  options: { args?: string[]; dist: string },
  drive: (page: Page) => Promise<T>,
): Promise<{ result: T; problems: Problems }> {
  const { chromium } = await import("playwright-core");
  const server = await serveStatic(ROOT, { mounts: { "/dist/": options.dist } });
  const profile = mkdtempSync(join(tmpdir(), "kiln-chromium-"));
  // A persistent context is how Playwright takes a fresh --user-data-dir (it refuses the flag in `args`).
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    acceptDownloads: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      ...(options.args ?? []),
    ],
  });
  const problems: Problems = { console: [], pageErrors: [], requests: [] };
  try {
    const page = context.pages()[0] ?? await context.newPage();
    page.on("console", (m) => {
      if (m.type() === "error") problems.console.push(`${m.text()} (${m.location().url})`);
    });
    page.on("pageerror", (e) => problems.pageErrors.push(String(e)));
    page.on("requestfailed", (r) => problems.requests.push(`${r.url()}: ${r.failure()?.errorText}`));
    page.on("response", (r) => {
      if (r.status() >= 400) problems.requests.push(`${r.url()}: HTTP ${r.status()}`);
    });
    await page.goto(`${server.url}examples/browser/`);
    return { result: await drive(page), problems };
  } finally {
    await context.close();
    await server.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

const text = (page: Page, selector: string) => page.locator(selector).innerText();
const status = (page: Page) => page.locator("#status").textContent().then((s) => s ?? "");
/** The output pane's text (textContent: exactly what the program wrote, without layout). */
const output = (page: Page) => page.locator("#output").textContent().then((s) => s ?? "");
/** The number in the fuel label ("fuel used: 1,234" or "fuel used: 1,234 of 5,000"), or NaN. */
const fuelUsed = async (page: Page) =>
  Number((await text(page, "#fuel")).match(/^fuel used: ([\d,]+)/)?.[1].replaceAll(",", "") ?? NaN);

/** Waits until the page has finished its `n`-th run (the status line counts them in `data-done`). */
function finished(page: Page, n: number) {
  return page.waitForFunction((n) => document.getElementById("status")!.dataset.done === String(n), n, {
    timeout: 120_000,
  });
}

/** Drives every feature of the playground; returns the observations for {@link assertPlayground}. */
async function drivePlayground(page: Page, shot: string) {
  const seen: Record<string, unknown> = {};
  await page.waitForFunction(() => document.getElementById("status")!.textContent!.startsWith("ready"), null, {
    timeout: 30_000,
  });
  seen.native = await page.evaluate(() => typeof WebAssembly);
  seen.nativeLabel = await text(page, "#native");
  seen.engine = await text(page, "#engine");
  seen.runDisabledAtStart = await page.locator("#run").isDisabled();
  let runs = 0;

  // First thing, a .wat file from the picker: parsed by Kiln's own parseWat (no WebAssembly needed).
  await page.setInputFiles("#program-file", join(ROOT, "testdata/wat_hello.wat"));
  await page.waitForFunction(() => document.getElementById("program-name")!.textContent!.startsWith("wat_hello"));
  seen.runEnabledAfterLoad = await page.locator("#run").isEnabled();
  await page.click("#run");
  await finished(page, ++runs);
  seen.wat = { status: await status(page), output: await output(page), name: await text(page, "#program-name") };

  // Input that is not a program, and arguments that do not split, are reported in the status line.
  await page.setInputFiles("#program-file", {
    name: "bad.wat",
    mimeType: "text/plain",
    buffer: Buffer.from("(module"),
  });
  await page.waitForFunction(() => document.getElementById("status")!.textContent!.startsWith("Cannot load bad.wat"));
  await page.setInputFiles("#program-file", {
    name: "bad.wasm",
    mimeType: "application/wasm",
    buffer: Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 99]),
  });
  await page.waitForFunction(() => document.getElementById("program-name")!.textContent!.startsWith("bad.wasm"));
  await page.click("#run");
  await finished(page, ++runs);
  seen.badWasm = await status(page);
  await page.fill("#args", `"unclosed`);
  await page.click("#run");
  await finished(page, ++runs);
  seen.badArgs = await status(page);
  await page.fill("#args", "");

  // One-click samples.
  await page.click('[data-sample="hello"]');
  await finished(page, ++runs);
  seen.hello = { status: await status(page), output: await output(page), fuel: await fuelUsed(page) };

  await page.click('[data-sample="echo"]');
  await finished(page, ++runs);
  seen.echo = { status: await status(page), output: await output(page), stderr: await text(page, "#output .stderr") };

  // A user's program (a .wasm from the file picker) that reads an uploaded file and writes another.
  await page.setInputFiles("#program-file", join(ROOT, "testdata/wasi_tour.wasm"));
  await page.waitForFunction(() => document.getElementById("program-name")!.textContent!.startsWith("wasi_tour"));
  await page.setInputFiles("#upload", {
    name: "notes.txt",
    mimeType: "text/plain",
    buffer: Buffer.from("kiln in a page\n"),
  });
  await page.waitForFunction(() => document.getElementById("uploads")!.textContent!.includes("notes.txt"));
  seen.uploads = await text(page, "#uploads");
  await page.fill("#args", `/sandbox/notes.txt /sandbox/NOTES.txt "two words" it\\'s`);
  await page.fill("#env", "GREETING=hello there\n# not a variable\nEMPTY=");
  await page.fill("#stdin", "from the textarea");
  await page.click("#run");
  await finished(page, ++runs);
  seen.tour = {
    status: await status(page),
    output: await output(page),
    stderr: await text(page, "#output .stderr"),
    written: await text(page, "#written"),
    fuel: await fuelUsed(page),
  };
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#written a")]);
  seen.download = { name: download.suggestedFilename(), content: readFileSync(await download.path(), "utf8") };
  await page.screenshot({ path: join(SHOTS, `files-${shot}`), fullPage: true });

  // Output appears while the program runs; Stop ends it.
  await page.fill("#args", "--spin /sandbox/notes.txt /sandbox/NOTES.txt");
  await page.click("#run");
  await page.waitForFunction(() => document.getElementById("output")!.textContent!.includes("tick 3\n"), null, {
    timeout: 60_000,
  });
  seen.liveStatus = await status(page);
  await page.screenshot({ path: join(SHOTS, `live-${shot}`), fullPage: true });
  await page.click("#stop");
  await finished(page, ++runs);
  seen.spinStopped = { status: await status(page), written: await text(page, "#written") };

  // The runaway sample: the page stays responsive, the fuel label moves, Stop ends it.
  await page.click('[data-sample="loop"]');
  await page.waitForTimeout(700);
  seen.loopRunning = { status: await status(page), fuel: await fuelUsed(page) };
  await page.click("#stop");
  await finished(page, ++runs);
  seen.loopStopped = await status(page);

  // A fuel limit, then a time limit, end it by themselves.
  await page.fill("#fuel-limit", "20000000");
  await page.click('[data-sample="loop"]');
  await finished(page, ++runs);
  seen.outOfFuel = { status: await status(page), fuel: await text(page, "#fuel"), output: await output(page) };
  await page.fill("#fuel-limit", "");
  await page.fill("#time-limit", "0.5");
  await page.click('[data-sample="loop"]');
  await finished(page, ++runs);
  seen.timedOut = await status(page);
  await page.fill("#time-limit", "");

  // The fuel label belongs to the latest run (it once kept a stale "fuel left: 0").
  await page.click('[data-sample="hello"]');
  await finished(page, ++runs);
  seen.helloAgain = { fuel: await fuelUsed(page), label: await text(page, "#fuel") };

  // Drag-and-drop: a program onto the program zone, a file onto the files zone.
  await page.evaluate(async () => {
    const drop = (zone: string, file: File) => {
      const data = new DataTransfer();
      data.items.add(file);
      const target = document.getElementById(zone)!;
      target.dispatchEvent(new DragEvent("dragover", { dataTransfer: data, bubbles: true, cancelable: true }));
      target.dispatchEvent(new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true }));
    };
    const hello = await (await fetch("../../testdata/hello.wasm")).arrayBuffer();
    drop("program-drop", new File([hello], "dropped_hello.wasm"));
    drop("files-drop", new File(["dropped text"], "dropped.txt"));
  });
  await page.waitForFunction(() => document.getElementById("program-name")!.textContent!.startsWith("dropped_hello"));
  await page.waitForFunction(() => document.getElementById("uploads")!.textContent!.includes("dropped.txt"));
  await page.click("#run");
  await finished(page, ++runs);
  seen.dropped = { status: await status(page), output: await output(page), uploads: await text(page, "#uploads") };

  // A URL, relative to the page.
  await page.fill("#program-url", "../../testdata/args_env.wasm");
  await page.click("#load-url");
  await page.waitForFunction(() => document.getElementById("program-name")!.textContent!.startsWith("args_env"));
  await page.fill("#args", "one");
  await page.fill("#env", "A=1");
  await page.click("#run");
  await finished(page, ++runs);
  seen.url = { status: await status(page), output: await output(page) };

  await page.screenshot({ path: join(SHOTS, shot), fullPage: true });
  return seen;
}

// deno-lint-ignore no-explicit-any
function assertPlayground(seen: Record<string, any>, problems: Problems) {
  assert.deepEqual(problems, { console: [], pageErrors: [], requests: [] });
  assert.equal(seen.engine, "interpreter");
  assert.ok(
    seen.runDisabledAtStart && seen.runEnabledAfterLoad,
    "Run waits for a program, and a loaded file is enough",
  );
  assert.match(seen.badWasm, /^bad\.wasm stopped: invalid module: /);
  assert.equal(seen.badArgs, 'Cannot split the arguments: a " quote is not closed');
  assert.equal(seen.hello.status, "hello.wasm exited with code 0");
  assert.equal(seen.hello.output, "Hello, world!\n");
  assert.ok(seen.hello.fuel > 0, `hello fuel ${seen.hello.fuel}`);

  assert.equal(seen.echo.status, "stdin_echo.wasm exited with code 0");
  // stderr is unbuffered, stdout is flushed at exit (libc does not see a terminal).
  assert.equal(seen.echo.output, "read 36 bytes\ntyped into the page, read by fread()");
  assert.equal(seen.echo.stderr, "read 36 bytes\n");

  assert.match(seen.uploads, /\/sandbox\/notes\.txt \(15 bytes\)/);
  assert.equal(seen.tour.status, "wasi_tour.wasm exited with code 0");
  assert.equal(
    seen.tour.output,
    [
      "argv[0]=wasi_tour.wasm",
      "argv[1]=/sandbox/notes.txt",
      "argv[2]=/sandbox/NOTES.txt",
      "argv[3]=two words",
      "argv[4]=it's",
      "env GREETING=hello there",
      "env EMPTY=",
      "stdin=from the textarea",
      "read 17 bytes of stdin",
      "wrote 15 bytes to /sandbox/NOTES.txt",
      "",
    ].join("\n"),
  );
  assert.equal(seen.tour.stderr, "read 17 bytes of stdin\n");
  assert.equal(seen.tour.written, "/sandbox/NOTES.txt (new, 15 bytes)");
  assert.ok(seen.tour.fuel > 0);
  assert.deepEqual(seen.download, { name: "NOTES.txt", content: "KILN IN A PAGE\n" });

  assert.equal(seen.liveStatus, "running wasi_tour.wasm…");
  assert.equal(seen.spinStopped.status, "wasi_tour.wasm stopped: trap: interrupt (Stop)");
  assert.equal(seen.spinStopped.written, "/sandbox/NOTES.txt (new, 15 bytes)");

  assert.equal(seen.loopRunning.status, "running loop.wasm…");
  assert.ok(seen.loopRunning.fuel > 0, `the fuel label moves while the guest runs: ${seen.loopRunning.fuel}`);
  assert.equal(seen.loopStopped, "loop.wasm stopped: trap: interrupt (Stop)");
  assert.equal(seen.outOfFuel.status, "loop.wasm stopped: trap: all fuel consumed by WebAssembly");
  assert.equal(seen.outOfFuel.fuel, "fuel used: 20,000,000 of 20,000,000");
  assert.match(seen.outOfFuel.output, /^\ntrap: all fuel consumed by WebAssembly\n {2}in spin_forever at 0x/);
  assert.equal(seen.timedOut, "loop.wasm stopped: trap: interrupt (time limit: 0.5 s)");
  assert.equal(seen.helloAgain.fuel, seen.hello.fuel, "the same program uses the same fuel, and the label is fresh");
  assert.doesNotMatch(seen.helloAgain.label, / of /);

  assert.equal(seen.wat.status, "wat_hello.wat exited with code 0");
  assert.equal(seen.wat.output, "hello from wat\n");
  assert.match(seen.wat.name, /parsed from \d+ bytes of text/);
  assert.equal(seen.dropped.status, "dropped_hello.wasm exited with code 0");
  assert.equal(seen.dropped.output, "Hello, world!\n");
  assert.match(seen.dropped.uploads, /\/sandbox\/dropped\.txt \(12 bytes\)/);
  assert.equal(seen.url.status, "args_env.wasm exited with code 0");
  assert.equal(seen.url.output, "argv[0]=args_env.wasm\nargv[1]=one\nenv=A=1\n");
}

test("playground runs samples and a user's programs and files in headless Chromium", {
  skip: skip ?? false,
  timeout: 300_000,
}, async () => {
  mkdirSync(SHOTS, { recursive: true });
  const { result, problems } = await withPlayground(
    { dist: buildDist() },
    (page) => drivePlayground(page, "normal.png"),
  );
  assert.equal(result.native, "object");
  assert.equal(result.nativeLabel, "available");
  assertPlayground(result, problems);
});

test("playground works under --jitless, where native WebAssembly is unavailable", {
  skip: skip ?? false,
  timeout: 300_000,
}, async () => {
  mkdirSync(SHOTS, { recursive: true });
  const { result, problems } = await withPlayground(
    { dist: buildDist(), args: ["--js-flags=--jitless"] },
    (page) => drivePlayground(page, "jitless.png"),
  );
  assert.equal(result.native, "undefined", "--jitless should remove the WebAssembly global");
  assert.equal(result.nativeLabel, "unavailable");
  assertPlayground(result, problems);
});

test("playground says how to build Kiln when dist/ is missing", {
  skip: skip ?? false,
  timeout: 120_000,
}, async () => {
  mkdirSync(SHOTS, { recursive: true });
  const empty = mkdtempSync(join(tmpdir(), "kiln-no-dist-"));
  try {
    const { result, problems } = await withPlayground({ dist: empty }, async (page) => {
      await page.locator("#not-built").waitFor({ state: "visible", timeout: 30_000 });
      await page.screenshot({ path: join(SHOTS, "not-built.png"), fullPage: true });
      return {
        status: await status(page),
        message: await text(page, "#not-built"),
        runDisabled: await page.locator("#run").isDisabled(),
        sampleDisabled: await page.locator('[data-sample="hello"]').isDisabled(),
      };
    });
    assert.equal(result.status, "Kiln is not built (see above)");
    assert.match(result.message, /node_modules\/\.bin\/deno task build/);
    assert.ok(result.runDisabled && result.sampleDisabled, "nothing to click without Kiln");
    // The only failures are the missing build's files (Chromium logs each 404 as a console error too).
    assert.deepEqual(problems.pageErrors, []);
    for (const line of [...problems.requests, ...problems.console]) {
      assert.match(line, /\/dist\/browser\/(mod|wasi)\.js/, line);
    }
    assert.ok(problems.requests.length > 0, "the test really ran without dist/");
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});
