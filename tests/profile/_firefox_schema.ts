// A checker for the Firefox Profiler's processed format, version 48, as far as Kiln writes it: every field the
// profiler reads when it loads (and upgrades) a profile of one thread, with the types and cross-table references
// the format requires. Returns the problems found (empty when the profile is well formed).
type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => Number.isInteger(v);

/** The problems with `profile` as a processed profile (v48); `[]` when there are none. */
export function firefoxProfileProblems(profile: unknown): string[] {
  const problems: string[] = [];
  const need = (ok: boolean, what: string) => {
    if (!ok) problems.push(what);
  };
  if (!isObj(profile)) return ["the profile is not an object"];
  const meta = profile.meta;
  if (!isObj(meta)) return ["meta is missing"];
  need(meta.preprocessedProfileVersion === 48, "meta.preprocessedProfileVersion is 48");
  need(typeof meta.interval === "number" && meta.interval > 0, "meta.interval is a positive number");
  need(typeof meta.startTime === "number", "meta.startTime is a number");
  need(typeof meta.product === "string", "meta.product is a string");
  need(isInt(meta.version), "meta.version is an integer");
  need(meta.symbolicated === true, "meta.symbolicated is true (no symbol server is asked)");
  need(Array.isArray(meta.markerSchema), "meta.markerSchema is an array");
  const categories = meta.categories;
  need(
    Array.isArray(categories) && categories.length > 0 &&
      categories.every((c) =>
        isObj(c) && typeof c.name === "string" && typeof c.color === "string" && Array.isArray(c.subcategories) &&
        c.subcategories.length > 0
      ),
    "meta.categories lists categories with name, color and subcategories",
  );
  const cats = Array.isArray(categories) ? categories as Obj[] : [];
  need(cats.some((c) => c.color === "grey"), "a grey (default) category exists");
  need(Array.isArray(profile.libs), "libs is an array");
  const threads = profile.threads;
  if (!Array.isArray(threads) || threads.length === 0) return [...problems, "threads is a non-empty array"];
  for (const [ti, thread] of threads.entries()) {
    const at = `threads[${ti}]`;
    if (!isObj(thread)) {
      problems.push(`${at} is an object`);
      continue;
    }
    for (const key of ["processType", "name", "pid"]) need(typeof thread[key] === "string", `${at}.${key} is a string`);
    need(typeof thread.processStartupTime === "number", `${at}.processStartupTime is a number`);
    need(typeof thread.registerTime === "number", `${at}.registerTime is a number`);
    need(typeof thread.isMainThread === "boolean", `${at}.isMainThread is a boolean`);
    need(Array.isArray(thread.pausedRanges), `${at}.pausedRanges is an array`);
    const strings = thread.stringArray;
    need(Array.isArray(strings) && strings.every((s) => typeof s === "string"), `${at}.stringArray holds strings`);
    const nStrings = Array.isArray(strings) ? strings.length : 0;
    const table = (name: string, columns: string[]): Obj => {
      const t = thread[name];
      if (!isObj(t) || !isInt(t.length)) {
        problems.push(`${at}.${name} is a table with a length`);
        return { length: 0 };
      }
      for (const c of columns) {
        need(Array.isArray(t[c]) && (t[c] as unknown[]).length === t.length, `${at}.${name}.${c} has length rows`);
      }
      return t;
    };
    const col = (t: Obj, c: string) => (Array.isArray(t[c]) ? t[c] as unknown[] : []);
    const ref = (v: unknown, n: number, nullable = false) => (nullable && v === null) || (isInt(v) && v >= 0 && v < n);

    const resources = table("resourceTable", ["lib", "name", "host", "type"]);
    const funcs = table("funcTable", [
      "isJS",
      "relevantForJS",
      "name",
      "resource",
      "fileName",
      "lineNumber",
      "columnNumber",
    ]);
    const frames = table("frameTable", [
      "address",
      "inlineDepth",
      "category",
      "subcategory",
      "func",
      "nativeSymbol",
      "innerWindowID",
      "implementation",
      "line",
      "column",
    ]);
    const stacks = table("stackTable", ["frame", "category", "subcategory", "prefix"]);
    const samples = table("samples", ["stack", "time", "weight"]);
    table("markers", ["data", "name", "startTime", "endTime", "phase", "category"]);
    table("nativeSymbols", ["libIndex", "address", "name", "functionSize"]);

    need(col(resources, "name").every((s) => ref(s, nStrings)), `${at}.resourceTable.name indexes stringArray`);
    need(col(funcs, "name").every((s) => ref(s, nStrings)), `${at}.funcTable.name indexes stringArray`);
    need(col(funcs, "fileName").every((s) => ref(s, nStrings, true)), `${at}.funcTable.fileName indexes stringArray`);
    need(
      col(funcs, "resource").every((r) => r === -1 || ref(r, resources.length as number)),
      `${at}.funcTable.resource indexes resourceTable`,
    );
    need(col(funcs, "isJS").every((b) => typeof b === "boolean"), `${at}.funcTable.isJS holds booleans`);
    need(col(frames, "func").every((f) => ref(f, funcs.length as number)), `${at}.frameTable.func indexes funcTable`);
    need(col(frames, "address").every(isInt), `${at}.frameTable.address holds integers`);
    need(col(frames, "category").every((c) => ref(c, cats.length, true)), `${at}.frameTable.category is a category`);
    need(
      col(frames, "line").every((l) => l === null || (isInt(l) && l > 0)),
      `${at}.frameTable.line holds null or lines`,
    );
    const prefix = col(stacks, "prefix");
    need(
      col(stacks, "frame").every((f) => ref(f, frames.length as number)),
      `${at}.stackTable.frame indexes frameTable`,
    );
    need(
      prefix.every((p, i) => p === null || (isInt(p) && p >= 0 && p < i)),
      `${at}.stackTable.prefix is null or an earlier stack (the format requires prefix < index)`,
    );
    need(col(stacks, "category").every((c) => ref(c, cats.length)), `${at}.stackTable.category is a category`);
    need(
      col(samples, "stack").every((s) => ref(s, stacks.length as number, true)),
      `${at}.samples.stack indexes stackTable`,
    );
    const times = col(samples, "time");
    need(
      times.every((t, i) => typeof t === "number" && (i === 0 || t >= (times[i - 1] as number))),
      `${at}.samples.time is non-decreasing`,
    );
    need(col(samples, "weight").every((w) => isInt(w) && w > 0), `${at}.samples.weight holds positive integers`);
    need(samples.weightType === "samples", `${at}.samples.weightType is "samples"`);
  }
  return problems;
}

/** Self weight per function name of a profile's first thread, heaviest first. */
export function selfWeights(profile: unknown): [string, number][] {
  const t = (profile as { threads: Obj[] }).threads[0]!;
  const strings = t.stringArray as string[];
  const stackFrame = (t.stackTable as Obj).frame as number[];
  const frameFunc = (t.frameTable as Obj).func as number[];
  const funcName = (t.funcTable as Obj).name as number[];
  const samples = t.samples as Obj;
  const totals = new Map<string, number>();
  (samples.stack as number[]).forEach((s, i) => {
    const name = strings[funcName[frameFunc[stackFrame[s]!]!]!]!;
    totals.set(name, (totals.get(name) ?? 0) + (samples.weight as number[])[i]!);
  });
  return [...totals].sort((a, b) => b[1] - a[1]);
}
