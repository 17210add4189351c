// RFC 6238 (TOTP, with RFC 4226 HOTP): authenticator apps. SHA-1, 6 digits, 30-second steps — what
// every app reads from an otpauth:// URI. The secret is sealed at rest (tokens/seal.ts `sealData`).
import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';
import type { KeySealer } from '../tokens/seal.ts';

const PERIOD = 30;
const PURPOSE = 'totp secret';

function totp(secret: string, label = '', issuer = ''): TOTP {
  return new TOTP({ issuer, label, algorithm: 'SHA1', digits: 6, period: PERIOD, secret: Secret.fromBase32(secret) });
}

/** A new shared secret: 160 random bits (RFC 4226 §4 R6), base32. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The time step a code of this secret matches at `now` (epoch seconds), within ±1 step (RFC 6238 §5.2). */
export function matchingStep(secret: string, code: string, now: number): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const t = totp(secret);
  const timestamp = now * 1000;
  const delta = t.validate({ token: code, timestamp, window: 1 });
  return delta === null ? undefined : t.counter({ timestamp }) + delta;
}

/** The otpauth:// URI an app scans: `issuer` names the service, `account` the person. */
export function totpUri(secret: string, issuer: string, account: string): string {
  return totp(secret, account, issuer).toString();
}

/** The URI as a QR code, an SVG image in a data: URL (the pages' CSP allows data: images only). */
export async function qrDataUrl(uri: string): Promise<string> {
  const svg = await QRCode.toString(uri, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

/** The secret as shown for typing: groups of four. */
export const groupSecret = (secret: string): string => secret.replace(/(.{4})(?=.)/g, '$1 ');

export const sealTotpSecret = (sealer: Pick<KeySealer, 'sealData'>, userId: string, secret: string): string =>
  sealer.sealData(PURPOSE, userId, secret);

export const openTotpSecret = (sealer: Pick<KeySealer, 'openData'>, userId: string, stored: string): string =>
  sealer.openData(PURPOSE, userId, stored);
