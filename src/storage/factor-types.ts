// The stores of the second factors and passkeys (migration 0010). Times are epoch seconds.

/** An authenticator app (RFC 6238): the shared secret sealed at rest (tokens/seal.ts `sealData`). */
export interface TotpRecord {
  userId: string;
  /** The base32 secret, sealed. */
  secret: string;
  /** When the first code confirmed the enrolment; null while it is pending. */
  confirmedAt: number | null;
  /** The last time step whose code was accepted: a code is accepted once (RFC 6238 §5.2). */
  lastStep: number;
  createdAt: number;
}

/** A WebAuthn credential (passkey) registered by a user. */
export interface PasskeyRecord {
  /** The credential id, base64url. */
  id: string;
  userId: string;
  /** The COSE public key, base64url. */
  publicKey: string;
  /** The signature counter last seen (WebAuthn §6.1.1); 0 for authenticators that keep none. */
  counter: number;
  transports: string[];
  /** Whether the credential may be synced to other devices (the BE flag), and is (the BS flag). */
  backupEligible: boolean;
  backupState: boolean;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
}

/** What factors a user has, for policy decisions and listings. */
export interface FactorSummary {
  totp: boolean;
  passkeys: number;
  recoveryCodes: number;
}

export interface FactorStore {
  getTotp(userId: string): Promise<TotpRecord | undefined>;
  /** Starts (or restarts) an enrolment: a pending secret, replacing a pending one; false when one is confirmed. */
  beginTotp(userId: string, sealedSecret: string, now: number): Promise<boolean>;
  /**
   * Accepts the code of time step `step` in one atomic statement: true when the factor is confirmed
   * (or `confirm` and pending) and no code of this or a later step was accepted before.
   */
  useTotpStep(userId: string, step: number, now: number, confirm?: boolean): Promise<boolean>;
  deleteTotp(userId: string): Promise<boolean>;
  /** Replaces every recovery code of the user by these hashes, in one transaction. */
  replaceRecoveryCodes(userId: string, hashes: string[], now: number): Promise<void>;
  /** Uses one recovery code atomically; false when unknown or used before. */
  useRecoveryCode(userId: string, hash: string, now: number): Promise<boolean>;
  listPasskeys(userId: string): Promise<PasskeyRecord[]>;
  getPasskey(id: string): Promise<PasskeyRecord | undefined>;
  addPasskey(passkey: PasskeyRecord): Promise<void>;
  /**
   * Records a use: the new counter and backup state, in one statement that refuses a counter that
   * did not grow (a cloned authenticator, WebAuthn §6.1.1) unless both are 0. False when refused.
   */
  usePasskey(id: string, counter: number, backupState: boolean, now: number): Promise<boolean>;
  deletePasskey(userId: string, id: string): Promise<boolean>;
  summary(userId: string): Promise<FactorSummary>;
  /** Removes every factor of the user (authenticator app, recovery codes, passkeys). */
  removeAll(userId: string): Promise<void>;
  /** Keeps a WebAuthn challenge until `expiresAt`, under the hash of its handle (replacing one kept under it). */
  saveChallenge(idHash: string, challenge: string, userId: string | null, expiresAt: number): Promise<void>;
  /** Takes a challenge once (deletes it); undefined when unknown, taken or expired. */
  takeChallenge(idHash: string, now: number): Promise<{ challenge: string; userId: string | null } | undefined>;
}
