// Worker entry for bench/isolated.ts: runs one program with the default engines and WASI layer and posts the
// RunResult back. Runs in a Web Worker (Deno and Bun) so the parent can terminate a run that exceeds its time limit,
// even while the guest runs synchronously.
import { loadKilnInstantiator, nativeInstantiator, runProgram } from "./runner.ts";
import { kilnWasiProvider } from "./wasi_provider.ts";
import type { IsolatedRequest } from "./isolated.ts";

const scope = globalThis as unknown as {
  onmessage: ((e: MessageEvent<IsolatedRequest>) => void) | null;
  postMessage(message: unknown): void;
};

scope.onmessage = async (e: MessageEvent<IsolatedRequest>) => {
  const { program, engine, fuel, fuelYieldInterval, kilnEngine, wasiMode } = e.data;
  try {
    const instantiate = engine === "kiln" ? await loadKilnInstantiator() : nativeInstantiator;
    const result = await runProgram(program, {
      engine,
      instantiate,
      wasi: kilnWasiProvider,
      wasiMode,
      fuel,
      fuelYieldInterval,
      kilnEngine,
    });
    scope.postMessage({ result });
  } catch (err) {
    scope.postMessage({ error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
  }
};
