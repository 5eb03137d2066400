import { createHash, timingSafeEqual } from 'node:crypto';

/** The parts of a SASL/PLAIN token (RFC 4616): [authzid] NUL authcid NUL passwd. */
export interface PlainToken {
  authorizationId: string;
  username: string;
  password: string;
}

/** Longest PLAIN token accepted: names and passwords, not documents. */
const MAX_TOKEN_BYTES = 4096;

export function parsePlainToken(bytes: Buffer): PlainToken | null {
  if (bytes.length > MAX_TOKEN_BYTES) return null;
  const parts = bytes.toString('utf8').split('\u0000');
  if (parts.length !== 3 || parts[1].length === 0) return null;
  const [authorizationId, username, password] = parts;
  return { authorizationId, username, password };
}

/**
 * Checks SASL/PLAIN logins against the configured users. Passwords are compared as SHA-256
 * digests in constant time, so neither a password's length nor its prefix leaks through timing.
 */
export class PlainAuthenticator {
  private readonly digests: Map<string, Buffer>;

  constructor(users: Readonly<Record<string, string>>) {
    this.digests = new Map(Object.entries(users).map(([user, password]) => [user, digest(password)]));
  }

  /** The authenticated principal, or null when the token is malformed or the login is wrong. */
  authenticate(bytes: Buffer): string | null {
    const token = parsePlainToken(bytes);
    if (!token) return null;
    // acting for someone else (an authorization id other than oneself) is not offered
    if (token.authorizationId !== '' && token.authorizationId !== token.username) return null;
    const expected = this.digests.get(token.username);
    const offered = digest(token.password);
    const matches = expected !== undefined && timingSafeEqual(expected, offered);
    return matches ? `User:${token.username}` : null;
  }
}

function digest(password: string): Buffer {
  return createHash('sha256').update(password, 'utf8').digest();
}
