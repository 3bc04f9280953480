// What the browser may lack. src/core/ops.ts reads `process.env` behind a `typeof process` guard
// (the kernel engine's override for Node); here `process` may be undefined, so only guarded
// reads type-check.
declare let process: undefined | { readonly env: Readonly<Record<string, string | undefined>> };
