// midtriage's file reader: a worker of the analysis worker. It reads the chosen files in
// chunks with FileReaderSync and passes each chunk on (transferred, not copied), staying a few
// chunks ahead of the analysis, so that reading and analysing run at the same time.
//
// In:  {files: [Blob], chunk: bytes per chunk, ahead: chunks in flight}, then {ack: true} for
//      each chunk the analysis has taken.
// Out: {file, buf, last} for each chunk (an empty buf for an empty file), or
//      {file, error, last: true} when a file cannot be read; files strictly in order.
"use strict";
let files = [];
let chunk = 0;
let ahead = 0;
let inFlight = 0;
let index = 0;
let offset = 0;
const reader = new FileReaderSync();

self.onmessage = (e) => {
  if (e.data && e.data.files) {
    ({ files, chunk, ahead } = e.data);
  } else {
    inFlight -= 1;
  }
  pump();
};

function pump() {
  while (inFlight < ahead && index < files.length) {
    const blob = files[index];
    const end = Math.min(offset + chunk, blob.size);
    let last = end >= blob.size;
    try {
      const buf = reader.readAsArrayBuffer(blob.slice(offset, end));
      self.postMessage({ file: index, buf, last }, [buf]);
    } catch (err) {
      last = true;
      const error = String((err && err.message) || err || "the browser refused to read it");
      self.postMessage({ file: index, error, last });
    }
    inFlight += 1;
    if (last) {
      index += 1;
      offset = 0;
    } else {
      offset = end;
    }
  }
}
