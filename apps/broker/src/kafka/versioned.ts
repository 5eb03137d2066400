/**
 * Response fields exist only in some API versions, and the encoder refuses a non-default value
 * in a version that lacks the field (a guard against silently dropping data). Handlers say which
 * fields they fill per version with these.
 */
export function since<T>(apiVersion: number, minVersion: number, value: T): T | undefined {
  return apiVersion >= minVersion ? value : undefined;
}

export function upTo<T>(apiVersion: number, maxVersion: number, value: T): T | undefined {
  return apiVersion <= maxVersion ? value : undefined;
}
