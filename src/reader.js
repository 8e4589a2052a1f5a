// midtriage's file reader: a worker of the analysis worker. It streams the chosen files
// (Blob.stream(), about twice as fast as FileReaderSync in Chromium), packs the bytes into
// fixed-size chunks and passes each on (transferred, not copied), staying a few chunks ahead of
// the analysis, so that reading and analysing run at the same time.
//
// In:  {files: [Blob], chunk: bytes per chunk, ahead: chunks in flight}, then {ack: true, buf}
//      for each chunk the analysis has taken, with its buffer given back for reuse, and
//      `skip: file` when the analysis refused that file (the rest of it is not read).
// Out: {file, buf, length, last} for each chunk (length 0 for an empty file), then
//      {file, error, last: true} when a file cannot be read to its end (the chunks before it
//      were read and are analysed); files strictly in order.
"use strict";
let ahead = 0;
let inFlight = 0;
// The file the analysis has refused (binary, a bomb): the rest of it is not read.
let skip = -1;
let wake = null;
// Buffers the analysis has given back, to be filled again.
const spare = [];

self.onmessage = (e) => {
  if (e.data && e.data.files) {
    ahead = e.data.ahead;
    readAll(e.data.files, e.data.chunk);
  } else {
    inFlight -= 1;
    if (e.data && e.data.buf) spare.push(new Uint8Array(e.data.buf));
    if (e.data && typeof e.data.skip === "number") skip = e.data.skip;
    if (wake) {
      const w = wake;
      wake = null;
      w();
    }
  }
};

async function send(message, transfer) {
  while (inFlight >= ahead) await new Promise((resolve) => (wake = resolve));
  inFlight += 1;
  self.postMessage(message, transfer);
}

async function readAll(files, chunk) {
  const fresh = () => (spare.length ? spare.pop() : new Uint8Array(chunk));
  for (let file = 0; file < files.length; file++) {
    const size = files[file].size;
    let buf = fresh();
    let filled = 0;
    let sent = 0;
    let error = null;
    let skipped = false;
    try {
      const fill = filler(files[file]);
      for (;;) {
        const got = await fill(buf, filled);
        ({ buf, filled } = got);
        if (got.done) break;
        if (filled === chunk) {
          await send({ file, buf: buf.buffer, length: filled, last: false }, [buf.buffer]);
          sent += filled;
          buf = fresh();
          filled = 0;
        }
        if (skip === file) {
          skipped = true;
          fill.cancel();
          break;
        }
      }
      if (skipped) {
        // The analysis has moved on to the next file; this buffer is simply reused.
        spare.push(buf);
        continue;
      }
      // A file changed on disk while it was read can end early without an error: the bytes
      // read must be the size the file had when it was chosen.
      if (sent + filled !== size) {
        error = `it changed while it was being read: ${sent + filled} of its ${size} bytes were read and analysed; choose it again to read all of it`;
      }
    } catch (err) {
      const why = String((err && err.message) || err || "refused");
      // A failed BYOB read keeps the buffer it was given, with the bytes packed into it so far.
      if (buf.byteLength === 0) filled = 0;
      error = `it could not be read past byte ${sent + filled} (the browser said: ${why}); what came before was analysed; it may have been moved, deleted or changed since it was chosen: choose it again`;
    }
    if (error === null) {
      await send({ file, buf: buf.buffer, length: filled, last: true }, [buf.buffer]);
    } else {
      if (filled > 0) await send({ file, buf: buf.buffer, length: filled, last: false }, [buf.buffer]);
      await send({ file, error, last: true }, []);
    }
  }
}

// Reads the next bytes of a blob into buf after `filled`: {buf, filled, done} (and `cancel()`
// stops reading the blob), where buf may be
// a new view of the same memory (a BYOB read takes the buffer and gives it back, also at the
// end). A BYOB reader fills the buffer in place; where a browser has none, chunks are copied.
function filler(blob) {
  let byob = null;
  try {
    byob = blob.stream().getReader({ mode: "byob" });
  } catch (_) {
    byob = null;
  }
  if (byob) {
    const fill = async (buf, filled) => {
      const { done, value } = await byob.read(new Uint8Array(buf.buffer, filled));
      const back = value ? new Uint8Array(value.buffer) : buf;
      return { buf: back, filled: filled + (value ? value.byteLength : 0), done };
    };
    fill.cancel = () => byob.cancel().catch(() => {});
    return fill;
  }
  const reader = blob.stream().getReader();
  let rest = null;
  const fill = async (buf, filled) => {
    if (!rest || rest.length === 0) {
      const { done, value } = await reader.read();
      if (done) return { buf, filled, done };
      rest = value;
    }
    const n = Math.min(rest.length, buf.length - filled);
    buf.set(rest.subarray(0, n), filled);
    rest = rest.subarray(n);
    return { buf, filled: filled + n, done: false };
  };
  fill.cancel = () => reader.cancel().catch(() => {});
  return fill;
}
