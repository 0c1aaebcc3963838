// Pre-opened TCP listeners (Wasmtime's --tcplisten): a guest accepts a connection from a client on 127.0.0.1 and
// echoes what it receives; error cases of the sock_* calls.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { Guest } from "./_guest.ts";
import { Errno } from "../../lib/wasi/errno.ts";
import { Wasi } from "../../lib/wasi/wasi.ts";
import { MemoryFs } from "../../lib/wasi/fs/memory_fs.ts";
import { tcpListen } from "../../lib/wasi/fs/node_net.ts";

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..", "..");
const HAVE_KILN = fs.existsSync(path.join(REPO, "mod.ts"));

/** Connects to the port, sends `message`, half-closes and collects the reply until the server ends. */
function client(port: number, message: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    const s = net.connect(port, "127.0.0.1", () => {
      s.write(message);
      s.end();
    });
    s.on("data", (d: Uint8Array) => chunks.push(d));
    s.on("end", () => resolve(new TextDecoder().decode(Uint8Array.from(chunks.flatMap((c) => [...c])))));
    s.on("error", reject);
  });
}

const ECHO = `(module
  (import "wasi_snapshot_preview1" "sock_accept" (func $accept (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_recv" (func $recv (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_send" (func $send (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_shutdown" (func $shutdown (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start") (local $fd i32) (local $e i32) (local $n i32)
    (local.set $e (call $accept (i32.const 3) (i32.const 0) (i32.const 0)))
    (if (local.get $e) (then (call $exit (i32.add (i32.const 100) (local.get $e)))))
    (local.set $fd (i32.load (i32.const 0)))
    (block $done
      (loop $next
        (i32.store (i32.const 16) (i32.const 1024))
        (i32.store (i32.const 20) (i32.const 256))
        (local.set $e (call $recv (local.get $fd) (i32.const 16) (i32.const 1) (i32.const 0)
          (i32.const 32) (i32.const 36)))
        (if (local.get $e) (then (call $exit (i32.add (i32.const 150) (local.get $e)))))
        (local.set $n (i32.load (i32.const 32)))
        (br_if $done (i32.eqz (local.get $n)))
        (i32.store (i32.const 20) (local.get $n))
        (local.set $e (call $send (local.get $fd) (i32.const 16) (i32.const 1) (i32.const 0) (i32.const 40)))
        (if (local.get $e) (then (call $exit (i32.add (i32.const 200) (local.get $e)))))
        (br $next)))
    (drop (call $shutdown (local.get $fd) (i32.const 2)))
    (call $exit (i32.const 0))))`;

test("a Kiln guest accepts a TCP connection on a preopened listener and echoes it", {
  skip: HAVE_KILN ? undefined : "Kiln engine (mod.ts) not available yet",
}, async () => {
  const listener = await tcpListen("127.0.0.1:0");
  try {
    const kiln = await import(path.join(REPO, "mod.ts"));
    const wabt = await (await import("wabt")).default();
    const bytes = wabt.parseWat("echo.wat", ECHO, {}).toBinary({}).buffer;
    const wasi = new Wasi({ mode: "async", fs: new MemoryFs(), listeners: [listener], stdout: "null", stderr: "null" });
    const { instance } = await kiln.instantiate(bytes, wasi.getImportObject());
    const [code, reply] = await Promise.all([wasi.start(instance), client(listener.port, "hello from the client")]);
    assert.equal(code, 0);
    assert.equal(reply, "hello from the client");
  } finally {
    listener.close();
  }
});

test("sock_accept, sock_recv, sock_send and sock_shutdown serve a client (async, direct calls)", async () => {
  const listener = await tcpListen("127.0.0.1:0");
  try {
    const g = new Guest({ mode: "async", fs: new MemoryFs(), listeners: [listener], stdout: "null", stderr: "null" });
    const reply = client(listener.port, "ping");
    const fdOut = g.alloc(4);
    assert.equal(await g.call("sock_accept", 3, 0, fdOut), Errno.SUCCESS);
    const fd = g.u32(fdOut);
    const buf = g.alloc(64), iov = g.alloc(8), n = g.alloc(4), roflags = g.alloc(4);
    g.view.setUint32(iov, buf, true);
    g.view.setUint32(iov + 4, 64, true);
    let got = "";
    while (got.length < 4) {
      assert.equal(await g.call("sock_recv", fd, iov, 1, 0, n, roflags), Errno.SUCCESS);
      got += g.text(buf, g.u32(n));
    }
    assert.equal(got, "ping");
    const [p, l] = g.str("pong");
    g.view.setUint32(iov, p, true);
    g.view.setUint32(iov + 4, l, true);
    assert.equal(await g.call("sock_send", fd, iov, 1, 0, n), Errno.SUCCESS);
    assert.equal(g.u32(n), 4);
    assert.equal(await g.call("sock_shutdown", fd, 2), Errno.SUCCESS);
    assert.equal(await reply, "pong");
    // After the client's half-close the guest reads end of stream.
    g.view.setUint32(iov, buf, true);
    g.view.setUint32(iov + 4, 64, true);
    assert.equal(await g.call("sock_recv", fd, iov, 1, 0, n, roflags), Errno.SUCCESS);
    assert.equal(g.u32(n), 0);
    assert.equal(await g.call("fd_close", fd), Errno.SUCCESS);
  } finally {
    listener.close();
  }
});

test("sock_* calls reject bad descriptors, non-sockets and unsupported flags", async () => {
  const listener = await tcpListen("127.0.0.1:0");
  try {
    const g = new Guest({ mode: "async", fs: new MemoryFs(), listeners: [listener], stdout: "null", stderr: "null" });
    const out = g.alloc(8);
    assert.equal(await g.call("sock_accept", 99, 0, out), Errno.BADF);
    assert.equal(await g.call("sock_accept", 1, 0, out), Errno.NOTSOCK);
    assert.equal(await g.call("sock_accept", 3, 1, out), Errno.INVAL); // only NONBLOCK is allowed
    // A non-blocking listener with nothing pending answers EAGAIN instead of waiting.
    assert.equal(await g.call("fd_fdstat_set_flags", 3, 4), Errno.SUCCESS);
    assert.equal(await g.call("sock_accept", 3, 0, out), Errno.AGAIN);
    assert.equal(await g.call("fd_fdstat_set_flags", 3, 0), Errno.SUCCESS);
    assert.equal(await g.call("sock_shutdown", 99, 2), Errno.BADF);
    assert.equal(await g.call("sock_shutdown", 1, 2), Errno.NOTSOCK);
    assert.equal(await g.call("sock_recv", 0, out, 0, 0, out, out), Errno.NOTSOCK);
    assert.equal(await g.call("sock_send", 1, out, 0, 0, out), Errno.NOTSOCK);
    const reply = client(listener.port, "x");
    assert.equal(await g.call("sock_accept", 3, 0, out), Errno.SUCCESS);
    const fd = g.u32(out);
    assert.equal(await g.call("sock_recv", fd, out, 0, 1, out, out), Errno.NOTSUP); // RECV_PEEK
    assert.equal(await g.call("sock_shutdown", fd, 0), Errno.INVAL);
    assert.equal(await g.call("sock_shutdown", fd, 3), Errno.SUCCESS);
    assert.equal(await reply, "");
  } finally {
    listener.close();
  }
});
