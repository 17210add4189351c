// RFC 6749 §5.2: `invalid_client`, one public description whatever failed (the detail is only logged).
import { OAuthError } from '../../errors.ts';

export const invalidClient = (detail: string) => new OAuthError('invalid_client', 'client authentication failed', { detail });
