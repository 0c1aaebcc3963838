/**
 * The host's `process` object, which Node, Deno and Bun all have as a global. Why not `import process from
 * "node:process"`: Node 20 builds a builtin's ES module facade by reading every export once, and `process`'s getters
 * then create the stdin, stdout and stderr streams and the set of allowed flags: about a tenth of `kiln hello.wasm`'s
 * start-up, for streams a run mostly never touches.
 *
 * @module
 */

/** The host's `process`. */
export const process: NodeJS.Process = hostProcess();

function hostProcess(): NodeJS.Process {
  const p = (globalThis as { process?: NodeJS.Process }).process;
  if (p === undefined) throw new Error("failed to start kiln: the host has no `process` object (Node, Deno or Bun)");
  return p;
}
