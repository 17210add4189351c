// The one clock of Latchkey: epoch seconds, as JWT NumericDate (RFC 7519 §2) and every stored time.

/** The current time in whole seconds since the epoch. */
export const epochSeconds = (): number => Math.floor(Date.now() / 1000);
