// The file reader (src/reader.js) on its own, in Node: its worker messages are driven by hand
// as the analysis worker does (every message acknowledged, the buffer given back). Covers what
// Chromium never shows: the default-stream fallback for browsers without BYOB readers, and that
// a refused file is really not read on.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import vm from "node:vm";

const SOURCE = readFileSync(join(import.meta.dirname, "..", "..", "src", "reader.js"), "utf8");

/** Loads reader.js with a stand-in for its worker scope; messages are transferred as in a browser. */
function startReader() {
  const inbox = [];
  let notify = null;
  const self = {
    onmessage: null,
    postMessage(message, transfer) {
      inbox.push(structuredClone(message, { transfer }));
      notify?.();
    },
  };
  vm.runInNewContext(SOURCE, { self, Uint8Array, Promise, String });
  const next = async () => {
    const deadline = Date.now() + 5000;
    while (!inbox.length) {
      if (Date.now() > deadline) throw new Error("the reader sent nothing");
      await new Promise((resolve) => {
        notify = resolve;
        setTimeout(resolve, 50);
      });
    }
    return inbox.shift();
  };
  return { post: (data) => self.onmessage({ data }), next };
}

/** A blob-like file: `size`, and a stream of `bytes` in pieces (a byte stream when `byob`),
 * which may fail after `failAfter` bytes. Counts pulls and notes a cancel. */
function file(bytes, { size = bytes.length, byob = true, piece = 5, failAfter = -1 } = {}) {
  const f = { size, pulls: 0, cancelled: false };
  f.stream = () => {
    let at = 0;
    const take = (room) => {
      f.pulls += 1;
      if (failAfter >= 0 && at >= failAfter) throw new Error("disk unplugged");
      const end = Math.min(at + piece, at + room, bytes.length, failAfter >= 0 ? failAfter : Infinity);
      const out = bytes.subarray(at, end);
      at = end;
      return out;
    };
    const cancel = () => {
      f.cancelled = true;
    };
    if (!byob) {
      return new ReadableStream({
        pull(c) {
          if (at >= bytes.length) return c.close();
          c.enqueue(take(piece).slice());
        },
        cancel,
      });
    }
    return new ReadableStream({
      type: "bytes",
      pull(c) {
        if (at >= bytes.length) {
          c.close();
          c.byobRequest?.respond(0);
          return;
        }
        const view = c.byobRequest.view;
        const got = take(view.byteLength);
        view.set(got);
        c.byobRequest.respond(got.length);
      },
      cancel,
    });
  };
  return f;
}

const bytes = (n, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);

/** Reads `files` as the analysis worker would; `skip(file, chunk)` says when to refuse a file. */
async function readFiles(files, { chunk = 8, ahead = 2, skip = () => false } = {}) {
  const reader = startReader();
  reader.post({ files, chunk, ahead });
  const got = files.map(() => ({ bytes: [], messages: [], error: null }));
  let current = 0;
  while (current < files.length) {
    const m = await reader.next();
    const ack = { ack: true };
    if (m.buf) ack.buf = m.buf;
    if (m.file === current) {
      const f = got[m.file];
      f.messages.push(m.error ? "error" : m.last ? `last ${m.length}` : `${m.length}`);
      if (m.error) f.error = m.error;
      else f.bytes.push(...new Uint8Array(m.buf, 0, m.length));
      if (m.last) current += 1;
      else if (skip(m.file, f.messages.length)) {
        ack.skip = m.file;
        current += 1;
      }
    }
    if (current < files.length) reader.post(ack);
  }
  return got;
}

test("files arrive whole, in order and in chunks, from BYOB and default streams", async () => {
  const a = bytes(20);
  const c = bytes(7, 3);
  const d = bytes(17, 5);
  const got = await readFiles([
    file(a),
    file(new Uint8Array(0)),
    file(c, { byob: false }),
    file(d, { byob: false, piece: 3 }),
  ]);
  assert.deepEqual(got[0].bytes, [...a]);
  assert.deepEqual(got[0].messages, ["8", "8", "last 4"]);
  assert.deepEqual(got[1].messages, ["last 0"]);
  assert.deepEqual(got[2].bytes, [...c]);
  assert.deepEqual(got[2].messages, ["last 7"]);
  assert.deepEqual(got[3].bytes, [...d]);
  assert.deepEqual(got[3].messages, ["8", "8", "last 1"]);
  assert.ok(got.every((f) => f.error === null));
});

test("a file that ends before its size is reported, with what was read", async () => {
  for (const byob of [true, false]) {
    const [f] = await readFiles([file(bytes(12), { size: 30, byob })]);
    assert.equal(f.bytes.length, 12);
    assert.deepEqual(f.messages, ["8", "4", "error"]);
    assert.match(f.error, /^it changed while it was being read: 12 of its 30 bytes were read and analysed/);
  }
});

test("a read failing midway keeps what came before it and says how far it got", async () => {
  // A failed BYOB read keeps its buffer, so the bytes packed into the unfinished chunk go with
  // it; a default stream leaves them with the reader.
  for (const [byob, kept] of [[true, 8], [false, 10]]) {
    const [f, next] = await readFiles([file(bytes(30), { failAfter: 10, byob }), file(bytes(3))]);
    assert.deepEqual(f.bytes, [...bytes(kept)]);
    assert.match(f.error, new RegExp(`^it could not be read past byte ${kept} \\(the browser said: disk unplugged\\); what came before was analysed`));
    assert.deepEqual(next.bytes, [...bytes(3)], "the next file is still read");
  }
});

test("a refused file is not read on, and the next one is read whole", async () => {
  for (const byob of [true, false]) {
    const big = file(bytes(4000), { piece: 8, byob });
    const after = bytes(20, 9);
    const got = await readFiles([big, file(after)], { skip: (f, n) => f === 0 && n === 1 });
    assert.ok(big.pulls < 20, `read on after the skip: ${big.pulls} pulls of 500`);
    assert.ok(big.cancelled, "the stream was cancelled");
    assert.deepEqual(got[1].bytes, [...after]);
  }
});
