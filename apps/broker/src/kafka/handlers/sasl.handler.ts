import { Encodable, SaslAuthenticateRequest, SaslAuthenticateResponse, SaslHandshakeRequest, SaslHandshakeResponse } from '@tributary/protocol';
import { ConnectionInfo } from '../../network/kafka-server';
import { PlainAuthenticator } from '../../security/plain-authenticator';
import { since } from '../versioned';

const UNSUPPORTED_SASL_MECHANISM = 33;
const ILLEGAL_SASL_STATE = 34;
const SASL_AUTHENTICATION_FAILED = 58;
const EMPTY = Buffer.alloc(0);

/** SaslHandshake: PLAIN is the one mechanism offered, and only when users are configured. */
export function handleSaslHandshake(authenticator: PlainAuthenticator | null, request: SaslHandshakeRequest, connection: ConnectionInfo): Encodable<SaslHandshakeResponse> {
  const mechanisms = authenticator ? ['PLAIN'] : [];
  if (!authenticator || request.mechanism.toUpperCase() !== 'PLAIN') return { errorCode: UNSUPPORTED_SASL_MECHANISM, mechanisms };
  if (connection.session.authenticated) return { errorCode: ILLEGAL_SASL_STATE, mechanisms };
  connection.session.saslMechanism = 'PLAIN';
  return { errorCode: 0, mechanisms };
}

/**
 * SaslAuthenticate with a PLAIN token. Synchronous on purpose: a request pipelined right behind
 * it is checked against the session this sets. A failed login closes the connection after the
 * answer, as Kafka does.
 */
export function handleSaslAuthenticate(authenticator: PlainAuthenticator | null, request: SaslAuthenticateRequest, apiVersion: number, connection: ConnectionInfo): Encodable<SaslAuthenticateResponse> {
  const session = connection.session;
  const answer = (errorCode: number, errorMessage: string | null) => ({ errorCode, errorMessage, authBytes: EMPTY, sessionLifetimeMs: since(apiVersion, 1, 0n) });
  if (!authenticator || session.saslMechanism !== 'PLAIN' || session.authenticated) {
    session.closeAfterResponse = true;
    return answer(ILLEGAL_SASL_STATE, 'SaslAuthenticate needs a successful SaslHandshake for PLAIN first');
  }
  const principal = authenticator.authenticate(request.authBytes);
  if (!principal) {
    session.closeAfterResponse = true;
    return answer(SASL_AUTHENTICATION_FAILED, 'Authentication failed: invalid username or password');
  }
  session.principal = principal;
  session.authenticated = true;
  return answer(0, null);
}
