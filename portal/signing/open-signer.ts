// The signer the configuration asks for: today the key file, or none (actions refused).
import { fileSigner, NO_SIGNER } from './file-signer.ts';
import type { Signer } from './signer.ts';

export async function openSigner(config: {
  readonly signingKeyFile?: string;
  readonly signingKeyId?: string;
}): Promise<Signer> {
  return config.signingKeyFile ? fileSigner(config.signingKeyFile, config.signingKeyId) : NO_SIGNER;
}
