// Tools the docs show configuration for, not installed in this repository: their modules are typed
// loosely (a script file, so that these are ambient module declarations). See prelude.d.ts.
declare module '@rollup/plugin-commonjs';
declare module '@rollup/plugin-node-resolve';
