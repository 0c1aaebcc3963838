/**
 * A small static file server for the browser example (and the platform tests): serves the repository on
 * 127.0.0.1 so that `examples/browser/index.html` can import `dist/browser/` and fetch `testdata/`.
 *
 * Usage: `deno task build && ./node_modules/.bin/deno run -A examples/browser/serve.ts [PORT]`
 * (or `bun examples/browser/serve.ts`), then open http://127.0.0.1:8000/examples/browser/.
 *
 * @module
 */
import { createReadStream, statSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, extname, join, normalize, resolve, sep } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".ts": "text/typescript; charset=utf-8",
  ".map": "application/json",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".wat": "text/plain; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".md": "text/markdown; charset=utf-8",
};

/** A running server. */
export interface StaticServer {
  /** Base URL, e.g. `http://127.0.0.1:8000/` (with the trailing slash). */
  url: string;
  /** Stops the server and closes open connections. */
  close(): Promise<void>;
}

/**
 * Serves the files under `root` (no directory listings; `dir/` serves `dir/index.html`). `mounts` maps a URL path
 * prefix such as `/dist/` to another directory. Paths that leave their directory are refused.
 *
 * @param root the directory served at `/`
 * @param options `port` (0, the default, picks a free one) and `mounts`
 * @returns the server's URL and a `close` function
 *
 * @example Serving the repository
 * ```ts ignore
 * import { serveStatic } from "./serve.ts";
 * const server = await serveStatic(".", { port: 0 });
 * console.log(server.url); // "http://127.0.0.1:PORT/"
 * await server.close();
 * ```
 */
export function serveStatic(
  root: string,
  options: { port?: number; mounts?: Record<string, string> } = {},
): Promise<StaticServer> {
  const mounts = Object.entries(options.mounts ?? {}).map(([prefix, dir]) => [prefix, resolve(dir)] as const);
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
    let base = resolve(root);
    let rest = path;
    for (const [prefix, dir] of mounts) {
      if (path.startsWith(prefix)) [base, rest] = [dir, path.slice(prefix.length)];
    }
    let file = normalize(join(base, rest));
    if (file !== base && !file.startsWith(base + sep)) {
      res.writeHead(403).end("forbidden");
      return;
    }
    try {
      if (statSync(file).isDirectory()) file = join(file, "index.html");
      const size = statSync(file).size;
      res.writeHead(200, {
        "content-type": TYPES[extname(file)] ?? "application/octet-stream",
        "content-length": size,
        "cache-control": "no-store",
      });
      if (req.method === "HEAD") res.end();
      else createReadStream(file).pipe(res);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    }
  });
  return new Promise((resolveServer) => {
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolveServer({
        url: `http://127.0.0.1:${port}/`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections?.();
            server.close(() => done());
          }),
      });
    });
  });
}

if (import.meta.main) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
  const server = await serveStatic(root, { port: Number(process.argv[2] ?? 8000) });
  console.log(`Serving ${root} at ${server.url} — open ${server.url}examples/browser/`);
}
