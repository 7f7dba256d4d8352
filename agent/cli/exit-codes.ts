// The CLI's exit codes, documented in README.md.
export const EXIT_OK = 0;
/** A firewall tool or the system failed. */
export const EXIT_FAILURE = 1;
/** Bad command line or config: nothing was changed. */
export const EXIT_BAD_INPUT = 2;
/** `verify` found the kernel differs from the policy. */
export const EXIT_DRIFT = 3;
