import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { z } from 'zod';

/** The scheme and host the caller used, so links in answers work from where it stands. */
export const RequestBaseUrl = createParamDecorator((_: unknown, context: ExecutionContext): string => {
  const request = context.switchToHttp().getRequest<Request>();
  return `${request.protocol}://${request.get('host') ?? 'localhost'}`;
});

export const relatedSchema = z.object({ related: z.string() });
export const resourceMetadataSchema = z.object({ self: z.string(), resource_name: z.string().nullable() });
export const collectionMetadataSchema = z.object({ self: z.string(), next: z.string().nullable() });

/** The REST Proxy v3 links of one cluster's resources: self, related collections and CRNs. */
export class ResourceLinks {
  constructor(
    private readonly baseUrl: string,
    readonly clusterId: string,
  ) {}

  /** `path` below /v3/clusters/{cluster_id}. */
  url(path = ''): string {
    return `${this.baseUrl}/v3/clusters/${encodeURIComponent(this.clusterId)}${path}`;
  }

  related(path: string): z.infer<typeof relatedSchema> {
    return { related: this.url(path) };
  }

  /** Metadata of a resource at `path`; `crn` is its resource name below the cluster, e.g. "/topic=orders". */
  resource(path: string, crn = ''): z.infer<typeof resourceMetadataSchema> {
    return { self: this.url(path), resource_name: `crn:///kafka=${this.clusterId}${crn}` };
  }

  /** Metadata of a collection; every collection fits in one page. */
  collection(path: string): z.infer<typeof collectionMetadataSchema> {
    return { self: this.url(path), next: null };
  }
}
