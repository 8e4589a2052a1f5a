// midtriage is built with WebAssembly SIMD (simd128). Browsers without it get a clear message
// instead of a broken page: Chrome and Edge 91+, Firefox 89+ and Safari 16.4+ have it.
if (!WebAssembly.validate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11]))) {
  const note = document.createElement("p");
  note.textContent = "midtriage needs a browser with WebAssembly SIMD: a current Chrome, Edge, Firefox or Safari.";
  document.body.prepend(note);
  throw new Error("WebAssembly SIMD is not available");
}
