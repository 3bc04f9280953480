// assembly/NAME.ts compiled by esbuild.js's build (its `assemblyscript` plugin), inlined as bytes.
declare module 'wasm:*' {
  const bytes: Uint8Array<ArrayBuffer>;
  export default bytes;
}
