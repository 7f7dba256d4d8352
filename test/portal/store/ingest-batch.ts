// An ingest batch from the parts a store case gives, the other part empty.
import type { IngestBatch } from '../../../portal/store/router-ingest.ts';

export function batch(parts: Partial<IngestBatch>): IngestBatch {
  return { states: parts.states ?? [], statuses: parts.statuses ?? [] };
}
