import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';

export const topicOffsetsSchema = z.object({
  topic_name: z.string(),
  partitions: z.array(
    z.object({
      partition_id: z.number().int(),
      earliest: z.number().int().describe('The log start offset'),
      latest: z.number().int().describe('The high watermark: the offset the next record gets'),
      for_timestamp: z.number().int().optional().describe('With ?timestamp: the first offset at or after it, -1 if none'),
    }),
  ),
});

export class TopicOffsetsDto extends createZodDto(topicOffsetsSchema) {}
export class TopicOffsetsQueryDto extends createZodDto(z.object({ timestamp: z.iso.datetime({ offset: true }).optional().describe('RFC 3339') })) {}
export class TopicPathDto extends createZodDto(z.object({ topic_name: z.string().min(1) })) {}
