// Child process for wasi_test.ts: polls host stdin (async mode) with a 5 s clock, then reads it all, and prints
// what happened as JSON. Run with stdin piped from the parent.
import { Guest } from "./_guest.ts";

const g = new Guest({ mode: "async", stdout: "null", stderr: "null" });
const subs = g.alloc(96), events = g.alloc(64), count = g.alloc(4);
g.view.setBigUint64(subs, 1n, true); // userdata 1: stdin readable
g.view.setUint8(subs + 8, 1);
g.view.setUint32(subs + 16, 0, true);
g.view.setBigUint64(subs + 48, 2n, true); // userdata 2: 5 s on the monotonic clock
g.view.setUint8(subs + 56, 0);
g.view.setUint32(subs + 64, 1, true);
g.view.setBigUint64(subs + 72, 5_000_000_000n, true);
const errno = await g.fns.poll_oneoff(subs, events, 2, count);
const first = g.u64(events);
let text = "";
for (;;) {
  const [e, chunk] = await g.read(0, 4);
  if (e !== 0 || chunk === "") break;
  text += chunk;
}
console.log(JSON.stringify({ errno, events: g.u32(count), first: Number(first), text }));
