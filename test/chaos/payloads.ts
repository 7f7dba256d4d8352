// Fuzz payloads for `desired` and `cmd`, one import for the fuzz scenario: structure-aware
// mutations of valid messages (one field made wrong in a known way, so the reply's code is known),
// byte-level havoc on valid text, random bytes, and the hostile cases of issue 11. Pure: no I/O.
export * from './fuzz-case.ts';
export * from './havoc.ts';
export * from './hostile-payloads.ts';
export * from './unsigned-payloads.ts';
