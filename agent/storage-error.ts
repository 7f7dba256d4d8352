// A write to state_dir failed (full, read-only, gone): code `storage_failed` in replies and in
// status.last_error alike, with the system's reason ("No space left on device") in the message.
export class StorageError extends Error {
  readonly code = 'storage_failed';

  constructor(message: string) {
    super(message);
    this.name = 'StorageError';
  }
}
