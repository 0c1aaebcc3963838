// The playground's script: loads a program (a sample, a file, a URL), runs it with `runWasi` on Kiln's browser build
// (dist/browser/, made by `deno task build`) over an in-memory filesystem, shows stdout and stderr as they are
// written, the fuel used, and the files the run wrote. No framework: each control is wired below, by id.
import { parseEnv, splitArgs } from "./inputs.js";
import { changedFiles, snapshotFiles } from "./sandbox.js";

const $ = (id) => document.getElementById(id);

/** The guest directory the uploaded files appear in, and the MemoryFs directory behind it. */
const SANDBOX = "/sandbox";
/** How often the page gets the thread back while a program runs (`yieldEveryMs`): about a frame. */
const YIELD_EVERY_MS = 15;
/** Output kept on the page; a program that prints more (a runaway one) gets the rest dropped. */
const MAX_OUTPUT_CHARS = 1_000_000;

/**
 * The one-click samples, from testdata/: the program file, its arguments (after argv[0]), its stdin and the files
 * it needs in /sandbox.
 */
const SAMPLES = {
  hello: { file: "hello.wasm", args: "", stdin: "" },
  echo: { file: "stdin_echo.wasm", args: "", stdin: "typed into the page, read by fread()" },
  copy: {
    file: "file_io.wasm",
    args: "/sandbox/hello.txt /sandbox/HELLO.txt",
    stdin: "",
    files: { "hello.txt": "Hello from the Kiln playground!\n" },
  },
  loop: { file: "loop.wasm", args: "", stdin: "" },
};

$("native").textContent = typeof WebAssembly === "undefined" ? "unavailable" : "available";

/**
 * Kiln's browser build, or null when it cannot be loaded (dist/ not built): then the page says how to build it.
 * Why a dynamic import: a static one that fails stops the whole module, and the page would say "loading" forever.
 */
async function loadKiln() {
  try {
    const [mod, wasi] = await Promise.all([
      import("../../dist/browser/mod.js"),
      import("../../dist/browser/wasi.js"),
    ]);
    return { ...mod, ...wasi };
  } catch (e) {
    $("not-built").hidden = false;
    $("not-built-detail").textContent = String(e?.message ?? e);
    for (const control of document.querySelectorAll("button, input, textarea")) control.disabled = true;
    $("status").textContent = "Kiln is not built (see above)";
    return null;
  }
}

const kiln = await loadKiln();
if (kiln) setUp(kiln);

/** Wires the page to Kiln. */
function setUp({ MemoryFs, RuntimeError, CompileError, LinkError, Store, TrapCode, parseWat, runWasi }) {
  /** The loaded program: its name (argv[0]) and its binary (a `.wat` is parsed on load). */
  let program = null;
  /** The files to put in /sandbox for each run: name → contents. */
  const uploads = new Map();
  /** Aborts the running program (the Stop button); null when nothing runs. */
  let controller = null;

  const status = $("status");
  $("engine").textContent = new Store().options.engine ?? "interpreter"; // the default engine; Kiln's only one today
  const setStatus = (text) => status.textContent = text;

  // ---- The program: samples, file picker, drag-and-drop, URL ----

  /** Makes `bytes` the program: a wasm binary as is, anything else parsed as WebAssembly text. */
  function setProgram(name, bytes) {
    const isBinary = bytes[0] === 0 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d; // "\0asm"
    let binary = bytes;
    if (!isBinary) {
      let text;
      try {
        text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
      } catch {
        throw new Error(`Cannot load ${name}: neither a wasm binary nor UTF-8 text`);
      }
      binary = parseWat(text); // Kiln's own text parser: no native WebAssembly or wabt needed
    }
    program = { name, bytes: binary };
    $("program-name").textContent = `${name} (${binary.length.toLocaleString("en")} bytes${
      isBinary ? "" : `, parsed from ${bytes.length.toLocaleString("en")} bytes of text`
    })`;
  }

  /** Runs `load` (which sets the program) and reports a failure in the status line; true if it worked. */
  async function tryLoad(what, load) {
    setStatus(`loading ${what}…`);
    try {
      await load();
      setStatus(`loaded ${program.name}`);
      if (controller === null) $("run").disabled = false;
      return true;
    } catch (e) {
      setStatus(`Cannot load ${what}: ${String(e?.message ?? e).split("\n")[0]}`);
      return false;
    }
  }

  /** Fetches bytes, with an error that says what failed. */
  async function fetchBytes(url) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${response.status} ${response.statusText} for ${url}`);
    return new Uint8Array(await response.arrayBuffer());
  }

  const loadFile = (file) =>
    tryLoad(file.name, async () => setProgram(file.name, new Uint8Array(await file.arrayBuffer())));

  $("program-file").onchange = async (event) => {
    const file = event.target.files[0];
    if (file) await loadFile(file);
    event.target.value = ""; // the "Program:" line names what is loaded; the picker would keep an old name
  };
  $("load-url").onclick = () => {
    const text = $("program-url").value.trim();
    if (!text) return setStatus("Type a URL first");
    return tryLoad(text, async () => {
      const url = new URL(text, location.href); // relative URLs are relative to this page
      setProgram(decodeURIComponent(url.pathname.split("/").pop() || "program.wasm"), await fetchBytes(url));
    });
  };

  for (const button of document.querySelectorAll("[data-sample]")) {
    button.onclick = async () => {
      const sample = SAMPLES[button.dataset.sample];
      $("args").value = sample.args;
      $("stdin").value = sample.stdin;
      for (const [name, text] of Object.entries(sample.files ?? {})) uploads.set(name, new TextEncoder().encode(text));
      showUploads();
      const url = new URL(`../../testdata/${sample.file}`, import.meta.url);
      if (await tryLoad(sample.file, async () => setProgram(sample.file, await fetchBytes(url)))) await run();
    };
  }

  // ---- Files in /sandbox ----

  /** Adds files (from the picker or a drop) to /sandbox. */
  async function addUploads(files) {
    for (const file of files) uploads.set(file.name, new Uint8Array(await file.arrayBuffer()));
    showUploads();
  }

  function showUploads() {
    const list = $("uploads");
    list.replaceChildren();
    for (const [name, bytes] of [...uploads].sort(([a], [b]) => a < b ? -1 : 1)) {
      const item = document.createElement("li");
      const remove = document.createElement("button");
      remove.textContent = "remove";
      remove.className = "remove";
      remove.onclick = () => {
        uploads.delete(name);
        showUploads();
      };
      item.append(`${SANDBOX}/${name} (${bytes.length.toLocaleString("en")} bytes) `, remove);
      list.append(item);
    }
  }

  $("upload").onchange = async (event) => {
    await addUploads(event.target.files);
    event.target.value = ""; // picking the same file again is a change too
  };

  /** Makes `zone` accept dropped files, handed to `onFiles`. */
  function dropZone(zone, onFiles) {
    zone.addEventListener("dragover", (event) => {
      event.preventDefault();
      zone.classList.add("over");
    });
    zone.addEventListener("dragleave", () => zone.classList.remove("over"));
    zone.addEventListener("drop", (event) => {
      event.preventDefault();
      zone.classList.remove("over");
      // While a program runs the controls are disabled; a drop is ignored likewise.
      if (controller === null && event.dataTransfer.files.length > 0) onFiles(event.dataTransfer.files);
    });
  }
  dropZone($("program-drop"), (files) => loadFile(files[0]));
  dropZone($("files-drop"), addUploads);
  // A file dropped anywhere else would make the browser navigate away to it.
  for (const type of ["dragover", "drop"]) document.addEventListener(type, (event) => event.preventDefault());

  // ---- Output ----

  const output = $("output");
  let outputChars = 0;

  /** Appends text to the output; `cls` is "stderr", "trap" or "note". Keeps the view scrolled to the end. */
  function print(text, cls) {
    if (outputChars >= MAX_OUTPUT_CHARS) return;
    outputChars += text.length;
    if (outputChars >= MAX_OUTPUT_CHARS) {
      text = text.slice(0, text.length - (outputChars - MAX_OUTPUT_CHARS));
      print(text, cls);
      return print(`\n[output beyond ${MAX_OUTPUT_CHARS.toLocaleString("en")} characters dropped]\n`, "note");
    }
    const atEnd = output.scrollTop + output.clientHeight >= output.scrollHeight - 4;
    const span = document.createElement("span");
    if (cls) span.className = cls;
    span.textContent = text;
    output.append(span);
    if (atEnd) output.scrollTop = output.scrollHeight;
  }

  /**
   * A stdout/stderr callback for `runWasi`: it decodes UTF-8 as a stream (a character split across two writes
   * stays whole) and prints at once, while the program runs.
   */
  function writer(cls) {
    const decoder = new TextDecoder();
    return (bytes) => print(decoder.decode(bytes, { stream: true }), cls);
  }

  function showFuel(store, limit) {
    const used = store.fuelConsumed.toLocaleString("en");
    $("fuel").textContent = limit === null
      ? `fuel used: ${used}`
      : `fuel used: ${used} of ${limit.toLocaleString("en")}`;
  }

  /** The object URLs of the download links shown, released when the list is replaced. */
  let downloadUrls = [];

  /** Lists the files the run wrote, changed or deleted in /sandbox, with download links. */
  function showWritten(changes) {
    const list = $("written");
    list.replaceChildren();
    for (const url of downloadUrls) URL.revokeObjectURL(url);
    downloadUrls = [];
    for (const { path, how, bytes } of changes) {
      const item = document.createElement("li");
      if (bytes === null) {
        item.textContent = `${path} (deleted)`;
      } else {
        const link = document.createElement("a");
        link.href = URL.createObjectURL(new Blob([bytes]));
        downloadUrls.push(link.href);
        link.download = path.split("/").pop();
        link.textContent = path;
        item.append(link, ` (${how}, ${bytes.length.toLocaleString("en")} bytes)`);
      }
      list.append(item);
    }
    if (changes.length === 0) list.innerHTML = '<li class="none">none</li>';
  }

  // ---- Running ----

  /** A positive number from an optional field, null when empty; throws for anything else. */
  function readLimit(id, what, integer) {
    const text = $(id).value.trim();
    if (text === "") return null;
    const n = Number(text);
    if (!(n > 0) || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
      throw new Error(`The ${what} must be a positive ${integer ? "integer" : "number"}, not ${text}`);
    }
    return n;
  }

  /** Enables the controls for the state: idle (`running` false) or running. */
  function setRunning(running) {
    for (const control of document.querySelectorAll("button, input, textarea")) control.disabled = running;
    $("stop").disabled = !running;
    $("run").disabled = running || program === null;
  }

  /** Runs the loaded program once with the page's inputs, in a fresh filesystem. */
  async function run() {
    if (!program) return setStatus("Load a program first");
    // Every run starts from a clean slate: no output, fuel or file list of the run before.
    output.replaceChildren();
    outputChars = 0;
    $("fuel").textContent = "fuel used: –";
    $("elapsed").textContent = "–";
    showWritten([]);
    $("written").innerHTML = '<li class="none">listed when the run ends</li>';
    let args, env, fuelLimit, timeLimit, fs, before;
    try {
      args = [program.name, ...splitArgs($("args").value)];
      env = parseEnv($("env").value);
      fuelLimit = readLimit("fuel-limit", "fuel limit", true);
      timeLimit = readLimit("time-limit", "time limit", false);
      fs = new MemoryFs();
      fs.mkdirp(SANDBOX);
      for (const [name, bytes] of uploads) fs.writeFile(`${SANDBOX}/${name}`, bytes);
      before = snapshotFiles(fs, SANDBOX);
    } catch (e) {
      // A WasiError from MemoryFs (a file over its 256 MiB) has a message too.
      setStatus(String(e?.message ?? e));
      status.dataset.done = String(Number(status.dataset.done) + 1);
      return;
    }

    controller = new AbortController();
    const store = new Store({
      // Why fuel without a limit: metering on is what makes `fuelConsumed` readable; Kiln caps fuel at 2^52.
      fuel: fuelLimit ?? Number.MAX_SAFE_INTEGER,
      // JavaScript has one thread: the Stop click and the live output need the program to give it back.
      yieldEveryMs: YIELD_EVERY_MS,
      callTimeoutMs: timeLimit === null ? undefined : timeLimit * 1000,
      signal: controller.signal,
    });
    $("engine").textContent = store.options.engine ?? "interpreter"; // Kiln's only engine today
    setRunning(true);
    setStatus(`running ${program.name}…`);
    const meter = setInterval(() => showFuel(store, fuelLimit), 100);
    const started = performance.now();
    try {
      const code = await runWasi(program.bytes, {
        args,
        env,
        fs,
        preopens: { [SANDBOX]: SANDBOX },
        // Why bytes: a string stdin of "null" or "inherit" would mean something else to runWasi.
        stdin: new TextEncoder().encode($("stdin").value),
        stdout: writer(""),
        stderr: writer("stderr"),
        engine: { store },
      });
      setStatus(`${program.name} exited with code ${code}`);
    } catch (e) {
      setStatus(`${program.name} stopped: ${describeError(e, timeLimit)}`);
      if (e instanceof RuntimeError) {
        print(`\ntrap: ${e.message}\n`, "trap");
        for (const frame of e.backtrace) {
          const at = frame.offset >= 0 ? ` at 0x${frame.offset.toString(16)}` : "";
          print(`  in ${frame.funcName ?? `function ${frame.funcIndex}`}${at}\n`, "trap");
        }
      }
    } finally {
      clearInterval(meter);
      showFuel(store, fuelLimit);
      $("elapsed").textContent = `${Math.round(performance.now() - started).toLocaleString("en")} ms`;
      showWritten(changedFiles(before, snapshotFiles(fs, SANDBOX)));
      controller = null;
      setRunning(false);
      status.dataset.done = String(Number(status.dataset.done) + 1);
    }
  }

  /** One line on why a run ended with an exception. */
  function describeError(e, timeLimit) {
    const message = String(e?.message ?? e).split("\n")[0];
    if (e instanceof RuntimeError) {
      let why = "";
      if (e.code === TrapCode.Interrupt) {
        why = controller?.signal.aborted ? " (Stop)" : timeLimit !== null ? ` (time limit: ${timeLimit} s)` : "";
      }
      return `trap: ${message}${why}`;
    }
    if (e instanceof CompileError) return `invalid module: ${message}`;
    if (e instanceof LinkError) return `cannot link: ${message}`;
    return `error: ${message}`;
  }

  $("run").onclick = run;
  $("stop").onclick = () => controller?.abort();

  setRunning(false);
  setStatus("ready: pick a sample or load a program");
  status.dataset.done = "0";
}
