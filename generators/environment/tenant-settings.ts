// The `limits` section of an environment: Tempo's per-tenant overrides as an environment file writes them.
// `limits.defaults` applies to every tenant; `limits.tenants.<id>` lists only what one tenant changes, and
// inherits the rest (environment/tenants.ts resolves it, tempo/overrides.ts renders each tenant's block
// whole, because Tempo 2.10.8 reads a tenant's block whole and fills nothing from the defaults).
import Type from 'typebox';
import { duration, int, list, map, object, oneOf, PATTERNS, str, text } from './fields';

/** The metrics-generator processors this repository renders (Tempo 2.10.8 knows a few more). */
export const GENERATOR_PROCESSORS = ['service-graphs', 'span-metrics', 'local-blocks'] as const;
export const processorList = (description: string, fallback?: string[]) => list(oneOf([...GENERATOR_PROCESSORS]), description, fallback, true);

export const dedicatedColumn = object({ name: text('Attribute name'), scope: oneOf(['span', 'resource']), type: oneOf(['string']) });
export const dedicatedColumnList = (description: string, fallback?: unknown[]) => list(dedicatedColumn, description, fallback);

const RATE_STRATEGY = 'local: each distributor allows the rate; global: the distributors share it';

const optional = Type.Optional;
/** What a tenant may set, each field optional: what it leaves out comes from the defaults. */
const tenant = object(
  {
    rateLimitBytes: optional(int('Ingestion rate limit, bytes/s (default: limits.defaults.rateLimitBytes)', 1)),
    burstSizeBytes: optional(int('Ingestion burst, bytes (default: limits.defaults.burstSizeBytes)', 1)),
    maxTracesPerUser: optional(int('Live traces per ingester (default: limits.defaults.maxTracesPerUser)', 1)),
    maxBytesPerTrace: optional(int('Largest trace accepted, bytes (default: limits.defaults.maxBytesPerTrace)', 1)),
    maxSearchDuration: optional(duration('Longest time range one search may cover, a Go duration (default: limits.defaults.maxSearchDuration)')),
    maxBytesPerTagValuesQuery: optional(int('Largest tag-values response, bytes (default: limits.defaults.maxBytesPerTagValuesQuery)', 1)),
    retention: optional(duration('Block retention of this tenant, a Go duration (default: retention); the S3 lifecycle follows the longest')),
    processors: optional(processorList('Metrics-generator processors of this tenant, [] for none (default: metricsGenerator.processors)')),
    spanMetricsDimensions: optional(
      list(
        str('Span or resource attribute', PATTERNS.attributeKey),
        'Attributes added as labels to its span metrics (default: limits.defaults.spanMetricsDimensions)',
        undefined,
        true,
      ),
    ),
    dedicatedColumns: optional(
      dedicatedColumnList('Attributes stored in their own parquet columns for this tenant, at most 10 per scope (default: dedicatedColumns)'),
    ),
    // Declared only to be refused with its reason (environment/tenants.ts), not as an unknown key.
    rateStrategy: optional(oneOf(['local', 'global'], `Not per tenant: Tempo 2.10.8 reads it from limits.defaults only (${RATE_STRATEGY})`)),
  },
  'What this tenant sets for itself; everything else it inherits (README "Tenants")',
);

export const limits = object(
  {
    defaults: object(
      {
        rateStrategy: oneOf(['local', 'global'], RATE_STRATEGY, 'global'),
        rateLimitBytes: int('Ingestion rate limit per tenant, bytes/s', 1, 15_000_000),
        burstSizeBytes: int('Ingestion burst per tenant, bytes', 1, 20_000_000),
        maxTracesPerUser: int('Live traces per tenant per ingester', 1, 10_000),
        maxBytesPerTrace: int('Largest trace accepted, bytes', 1, 5_000_000),
        // Tempo's own defaults: query_frontend.search.max_duration and querier.max-bytes-per-tag-values-query.
        maxSearchDuration: duration('Longest time range one search may cover, a Go duration', '168h'),
        maxBytesPerTagValuesQuery: int('Largest tag-values response (the values Grafana offers for an attribute), bytes', 1, 1_000_000),
        spanMetricsDimensions: list(str('Span or resource attribute', PATTERNS.attributeKey), 'Attributes added as labels to span metrics', [], true),
      },
      'Every tenant gets these unless it sets its own (retention, processors and dedicated columns: the fields of those names)',
    ),
    tenants: map(
      PATTERNS.tenantId,
      tenant,
      'Tenants with settings of their own, keyed by tenant id ("*": every tenant not named here), hot-reloaded without a restart',
    ),
  },
  'Per-tenant settings: Tempo runtime overrides (README "Tenants")',
);
