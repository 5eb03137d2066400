import { ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckResult, HealthCheckService, HealthIndicatorFunction } from '@nestjs/terminus';

/**
 * Runs terminus checks and returns their result either way (terminus throws a 503 exception when
 * one is down; the health controller sets the status itself and adds its own fields).
 */
export async function readiness(health: HealthCheckService, checks: HealthIndicatorFunction[]): Promise<HealthCheckResult> {
  try {
    return await health.check(checks);
  } catch (error) {
    if (error instanceof ServiceUnavailableException) return error.getResponse() as HealthCheckResult;
    throw error;
  }
}
