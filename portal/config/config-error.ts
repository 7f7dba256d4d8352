// A bad configuration value: the message names the option (file key or env var) and the value.
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}
