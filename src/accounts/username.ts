// Usernames are compared without regard to letter case or Unicode compatibility forms.

/**
 * The form a username is compared and looked up by: Unicode NFKC (so that compatibility forms such
 * as full-width letters or the "ﬁ" ligature equal their plain spelling), then lower-cased.
 * `toLowerCase()` rather than full case folding: the two differ only for a few letters (e.g. "ß"
 * stays "ß" instead of becoming "ss"), and every engine computes this form the same way because it
 * is computed here, never in SQL.
 */
export function normalizeUsername(username: string): string {
  return username.trim().normalize('NFKC').toLowerCase();
}
