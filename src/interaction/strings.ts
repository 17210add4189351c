// Every string a person reads on Latchkey's pages, in one place (operators may replace this object).

export const strings = {
  productName: 'Latchkey',
  loginTitle: 'Sign in',
  loginLead: (client: string) => `to continue to ${client}`,
  username: 'Username',
  password: 'Password',
  signIn: 'Sign in',
  wrongCredentials: 'The username or password is not correct.',
  tooManyAttempts: (seconds: number) =>
    `Too many failed sign-in attempts. For your security, try again in ${seconds < 90 ? `${seconds} second${seconds === 1 ? '' : 's'}` : `${Math.ceil(seconds / 60)} minutes`}.`,
  consentTitle: 'Allow access?',
  consentLead: (client: string, user: string) => `${client} wants to access your account (${user}).`,
  consentScopesHeading: 'It asks to:',
  consentResourcesHeading: 'At these services:',
  // A client known only by its metadata document (draft-ietf-oauth-client-id-metadata-document-03).
  consentClientHost: (host: string) => `This application is not registered here: it describes itself at ${host}.`,
  consentRedirectHost: (host: string) => `After you answer, you will be sent to ${host}.`,
  consentLoopbackOnly: 'It sends you back to a program on this computer only. Allow only if you started it yourself.',
  allow: 'Allow',
  deny: 'Deny',
  errorTitle: 'Something went wrong',
  errorBack: 'Go back to the application you came from and try again.',
  // The error page adds errorBack (what to do) under each message: the messages say only what happened.
  expired: 'This sign-in request has expired or was already used.',
  csrf: 'This form was not sent from this browser session.',
  notFound: 'There is nothing at this address.',
  methodNotAllowed: (allowed: string) => `This address answers only ${allowed} requests.`,
  logoutTitle: 'Sign out?',
  logoutLead: (client: string | undefined, product = 'Latchkey') =>
    client ? `${client} asks to sign you out of ${product}.` : `Do you want to sign out of ${product}?`,
  logoutConfirm: 'Sign out',
  signedOutTitle: 'Signed out',
  signedOut: 'You are signed out. You can close this window.',
  // The second-factor step and the passkey on the login page.
  mfaTitle: 'Two-step verification',
  mfaLead: 'Enter the 6-digit code from your authenticator app, or one of your recovery codes.',
  mfaPasskeyLead: 'Use your passkey, or a code from your authenticator app or your recovery codes.',
  mfaCode: 'Code',
  mfaVerify: 'Verify',
  mfaWrongCode: 'That code is not correct, or was already used.',
  mfaTooMany: (seconds: number) =>
    `Too many wrong codes. Try again in ${seconds < 90 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`}.`,
  mfaEnrolTitle: 'Set up two-step verification',
  mfaEnrolLead: 'Your sign-in needs a second step. Scan this QR code with an authenticator app, then enter the code it shows.',
  mfaSecretLabel: 'Or type this key into the app:',
  mfaConfirm: 'Confirm',
  mfaNoPasskey: 'This application asks for a passkey, and your account has none. Add one on your account page first.',
  recoveryTitle: 'Save your recovery codes',
  recoveryLead:
    'If you lose your authenticator app, each of these codes lets you sign in once. Keep them somewhere safe: they are shown only now.',
  continue: 'Continue',
  passkeyUse: 'Use a passkey',
  passkeyVerify: 'Use a passkey',
  passkeyFailed: 'The passkey could not be used. Try again, or use another way.',
  passkeyRefused: 'That passkey is not registered here, or could not be verified.',
  orDivider: 'or',
  account: {
    title: 'Your account',
    signOut: 'Sign out',
    profile: 'Profile',
    name: 'Name',
    email: 'Email',
    save: 'Save',
    saved: 'Saved.',
    password: 'Password',
    currentPassword: 'Current password',
    newPassword: 'New password',
    changePassword: 'Change password',
    passwordChanged: 'Your password is changed. Your other sessions were signed out.',
    wrongPassword: 'The current password is not correct.',
    weakPassword: 'The new password must have at least 8 characters.',
    app: 'Authenticator app',
    appOn: 'An authenticator app is set up.',
    appOff: 'No authenticator app is set up.',
    appSetUp: 'Set up an authenticator app',
    appLead: 'Scan this QR code with an authenticator app, then enter the code it shows to finish.',
    appRemove: 'Remove the authenticator app',
    appAdded: 'Your authenticator app is set up.',
    appRemoved: 'The authenticator app was removed.',
    recovery: 'Recovery codes',
    recoveryLeft: (n: number) => `${n} unused recovery code${n === 1 ? '' : 's'} left.`,
    recoveryNew: 'Make new recovery codes',
    passkeys: 'Passkeys',
    passkeysNone: 'No passkeys yet.',
    passkeyName: 'Name of the new passkey',
    passkeyAdd: 'Add a passkey',
    passkeyAdded: 'Your passkey was added.',
    passkeyRemove: 'Remove',
    passkeyRemoved: 'The passkey was removed.',
    passkeySynced: 'synced',
    created: (when: string) => `added ${when}`,
    lastUsed: (when: string) => `last used ${when}`,
    neverUsed: 'never used',
    sessions: 'Active sessions',
    thisSession: 'this browser',
    signedInAt: (when: string) => `signed in ${when}`,
    signOutOthers: 'Sign out everywhere else',
    othersSignedOut: (n: number) => `${n} other session${n === 1 ? ' was' : 's were'} signed out.`,
    apps: 'Connected applications',
    appsNone: 'No application has access.',
    revoke: 'Remove access',
    revoked: (name: string) => `${name} no longer has access.`,
    reauth: 'For this change, sign in again first.',
    unknownAction: 'This form asks for something the account page does not do.',
  },
  logoutBadHint: 'The sign-out request carries an ID token this server did not issue.',
  logoutBadRedirect: 'The sign-out request asks to return to an address that is not registered for the application.',
  logoutNeedsClient: 'A post_logout_redirect_uri needs client_id or id_token_hint to name the application.',
  noClientId: 'The request has no client_id.',
  unknownClient: 'The application that sent you here is not registered with this server.',
  disabledClient: 'The application that sent you here has been disabled on this server.',
  unusableClientDocument:
    'The application that sent you here is identified by the address of its description, which this server could not fetch or accept.',
  accountDisabled: 'This account is disabled. Contact the administrator of this service.',
  noRedirectUri: 'The request has no redirect_uri.',
  ambiguousRedirectUri: 'The request has no redirect_uri, and the application has more than one registered.',
  unregisteredRedirectUri: 'The redirect URI in the request is not registered for this application.',
  chooseDecision: 'Choose Allow or Deny.',
  tooManyRequests: 'Too many sign-in requests came from your network in the last minute.',
  deviceTitle: 'Connect a device',
  deviceLead: 'Enter the code shown on your device.',
  deviceCodeLabel: 'Code',
  deviceContinue: 'Continue',
  deviceUnknownCode: 'This code is not valid, or it has expired. Check the code on your device and try again.',
  deviceTooManyAttempts: (seconds: number) => `Too many wrong codes. Wait ${seconds} seconds, then try again.`,
  deviceApprovedTitle: 'Device connected',
  deviceApproved: (client: string) => `${client} is now connected. You can return to your device.`,
  deviceDeniedTitle: 'Request denied',
  deviceDenied: (client: string) => `${client} was not given access. You can close this window.`,
  pushedRequestGone: 'This sign-in request has expired or was already used.',
  pushedRequestOtherClient: 'This sign-in request was made by another application.',
  scopes: {
    openid: 'Confirm your identity',
    profile: 'See your name and username',
    email: 'See your email address',
    offline_access: 'Stay connected when you are not using it',
  } as Record<string, string>,
  customScope: (scope: string) => `Use the permission "${scope}"`,
};

/** The page strings of each language, by primary language subtag (RFC 5646); add one to translate. */
export const pageStrings: Record<string, typeof strings> = { en: strings };

/**
 * The language to show, from `ui_locales` (OIDC Core §3.1.2.1: space-separated BCP 47 tags, in order
 * of preference): the first one whose language has strings, else English.
 */
export function pageLanguage(uiLocales: readonly string[] | undefined): string {
  for (const tag of uiLocales ?? []) {
    const lang = tag.split('-')[0]?.toLowerCase() ?? '';
    if (Object.hasOwn(pageStrings, lang)) return lang;
  }
  return 'en';
}

/** The strings of a language chosen by {@link pageLanguage}. */
export function stringsFor(lang: string | undefined): typeof strings {
  return (lang !== undefined && Object.hasOwn(pageStrings, lang) ? pageStrings[lang] : undefined) ?? strings;
}
