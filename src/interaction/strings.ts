// Every string a person reads on Latchkey's pages, in one place (operators may replace this object).

export const strings = {
  productName: 'Latchkey',
  loginTitle: 'Sign in',
  loginLead: (client: string) => `to continue to ${client}`,
  username: 'Username',
  password: 'Password',
  signIn: 'Sign in',
  wrongCredentials: 'The username or password is not correct.',
  consentTitle: 'Allow access?',
  consentLead: (client: string, user: string) => `${client} wants to access your account (${user}).`,
  consentScopesHeading: 'It asks to:',
  allow: 'Allow',
  deny: 'Deny',
  errorTitle: 'Something went wrong',
  errorBack: 'Go back to the application you came from and try again.',
  expired: 'This sign-in request has expired or was already used. Start again from the application.',
  csrf: 'This form was not sent from this browser session. Start again from the application.',
  scopes: {
    openid: 'Confirm your identity',
    profile: 'See your name and username',
    email: 'See your email address',
    offline_access: 'Stay connected when you are not using it',
  } as Record<string, string>,
  customScope: (scope: string) => `Use the permission "${scope}"`,
};
