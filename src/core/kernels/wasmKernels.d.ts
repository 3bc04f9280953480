// assembly/kernels.ts compiled by esbuild.js's build (its `wasm-kernels` plugin), inlined as bytes.
declare module 'convlab-kernels.wasm' {
  const bytes: Uint8Array<ArrayBuffer>;
  export default bytes;
}
