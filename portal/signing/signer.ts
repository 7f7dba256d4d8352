// Signing behind a small interface, so an HSM or an external signer can replace the key file.
export interface Signer {
  /** Key id put in the JWS header when set (the agent ignores it; useful for rotation). */
  readonly kid?: string;
  /** A compact JWS, header {"alg":"EdDSA"} (plus kid), over the JSON of the claims. */
  sign(claims: Readonly<Record<string, unknown>>): Promise<string>;
}
