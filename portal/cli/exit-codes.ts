// The fleet CLI's exit codes (docs/portal.md), in the agent's style (agent/cli/exit-codes.ts).
export const EXIT_OK = 0;
/** The service failed or could not be reached, or something else went wrong. */
export const EXIT_FAILURE = 1;
/** Bad command line, or the service refused the request as invalid: nothing was changed. */
export const EXIT_BAD_INPUT = 2;
/** An action reached only some of its routers (the output lists which failed). */
export const EXIT_PARTIAL = 3;
/** No, a bad or a revoked token, or a role too low for the command. */
export const EXIT_DENIED = 4;

/** An error the CLI prints as one `fleet: error: ...` line and exits with `code`. */
export class CliError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const usageError = (message: string) => new CliError(EXIT_BAD_INPUT, message);
