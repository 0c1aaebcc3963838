// The page's script: runs WASI programs on Kiln (the browser build in dist/browser/, made by `deno task build`)
// with an in-memory filesystem, shows their output, and stops a runaway guest with an AbortSignal or fuel.
import { RuntimeError, Store } from "../../dist/browser/mod.js";
import { MemoryFs, runWasi } from "../../dist/browser/wasi.js";

const $ = (id) => document.getElementById(id);
const output = $("output");
const status = $("status");
const decoder = new TextDecoder();

$("native").textContent = typeof WebAssembly === "undefined" ? "unavailable" : "available (not used)";

/** Appends text to the page's terminal; `cls` styles stderr. */
function print(text, cls) {
  const span = document.createElement("span");
  if (cls) span.className = cls;
  span.textContent = text;
  output.append(span);
}

const cache = new Map();
/** Fetches a fixture from testdata/ once. */
async function load(name) {
  if (!cache.has(name)) {
    const response = await fetch(new URL(`../../testdata/${name}`, import.meta.url));
    if (!response.ok) throw new Error(`fetch ${name}: ${response.status}`);
    cache.set(name, new Uint8Array(await response.arrayBuffer()));
  }
  return cache.get(name);
}

let controller = null;

/**
 * Runs one WASI program and reports its exit code or trap in the status line.
 *
 * @param name fixture file name
 * @param stdin bytes for standard input
 * @param makeStore makes the store, given the Stop button's AbortSignal
 */
async function run(name, stdin, makeStore = (signal) => new Store({ fuelYieldInterval: 100_000, signal })) {
  output.textContent = "";
  status.textContent = `running ${name}…`;
  for (const button of document.querySelectorAll("button")) button.disabled = button.id !== "stop";
  controller = new AbortController();
  $("stop").disabled = false;
  // Why fuelYieldInterval: JavaScript is single-threaded, so the Stop click can only be handled while the guest
  // is suspended; Kiln yields to the event loop every 100,000 units of fuel.
  const store = makeStore(controller.signal);
  const fs = new MemoryFs();
  fs.writeFile("/home/readme.txt", new TextEncoder().encode("in-memory files work too\n"));
  const started = performance.now();
  try {
    const code = await runWasi(await load(name), {
      args: [name],
      env: { HOME: "/home" },
      fs,
      preopens: { "/home": "/home" },
      stdin,
      stdout: (data) => print(decoder.decode(data)),
      stderr: (data) => print(decoder.decode(data), "err"),
      engine: { store },
    });
    status.textContent = `${name} exited with code ${code}`;
  } catch (e) {
    const kind = e instanceof RuntimeError ? "trap" : "error";
    status.textContent = `${name} stopped: ${kind}: ${String(e.message).split("\n")[0]}`;
  } finally {
    const ms = Math.round(performance.now() - started);
    status.dataset.done = String(Number(status.dataset.done ?? 0) + 1);
    status.title = `${ms} ms`;
    for (const button of document.querySelectorAll("button")) button.disabled = button.id === "stop";
    controller = null;
  }
}

$("run-hello").onclick = () => run("hello.wasm", "null");
$("run-echo").onclick = () => run("stdin_echo.wasm", new TextEncoder().encode($("stdin").value));
$("run-loop").onclick = () => {
  if (!$("fuel-limit").checked) return run("loop.wasm", "null");
  return run("loop.wasm", "null", (signal) => {
    const store = new Store({ fuel: 20_000_000, fuelYieldInterval: 100_000, signal });
    // Show the fuel draining while the guest runs (the page stays responsive).
    const timer = setInterval(() => {
      $("fuel-left").textContent = `fuel left: ${store.getFuel().toLocaleString("en")}`;
      if (!status.textContent.startsWith("running")) clearInterval(timer);
    }, 50);
    return store;
  });
};
$("stop").onclick = () => controller?.abort();

status.textContent = "ready";
status.dataset.done = "0";
