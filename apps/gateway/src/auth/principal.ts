/** Who a request acts for, in Kafka's Type:name form (the same names as the Kafka listener's principals). */
export interface Principal {
  name: string;
}

/** Requests act as this principal while authentication is off. */
export const ANONYMOUS: Principal = { name: 'User:ANONYMOUS' };
