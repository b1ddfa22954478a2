// The ZoneAwarePodDisruptionBudget CustomResourceDefinition of rollout-operator v0.38.1: the same group,
// version, names and fields as its operations/rollout-operator/crds/zone-aware-pod-disruption-budget.yaml,
// which the operator's code reads (pkg/zpdb/config.go). tests/zones.test.ts checks every rendered budget
// against this schema.
import type { ObjectOf } from '../kubernetes/objects';

export const ZPDB_GROUP = 'rollout-operator.grafana.com';
export const ZPDB_PLURAL = 'zoneawarepoddisruptionbudgets';

export function zpdbDefinition(labels: Record<string, string>): ObjectOf<'CustomResourceDefinition'> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${ZPDB_PLURAL}.${ZPDB_GROUP}`, labels },
    spec: {
      group: ZPDB_GROUP,
      scope: 'Namespaced',
      names: {
        kind: 'ZoneAwarePodDisruptionBudget',
        plural: ZPDB_PLURAL,
        singular: 'zoneawarepoddisruptionbudget',
        shortNames: ['zpdb'],
      },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  required: ['selector'],
                  properties: {
                    maxUnavailable: { type: 'integer', minimum: 0, description: 'Pods that may be unavailable within a zone (or a partition)' },
                    maxUnavailablePercentage: {
                      type: 'integer',
                      minimum: 0,
                      maximum: 100,
                      description: "maxUnavailable as a percentage of each zone StatefulSet's spec.replicas (not with podNamePartitionRegex)",
                    },
                    selector: {
                      type: 'object',
                      description: 'Selects the pods and the StatefulSets (one per zone) the budget applies to',
                      required: ['matchLabels'],
                      properties: { matchLabels: { type: 'object', additionalProperties: { type: 'string' } } },
                    },
                    podNamePartitionRegex: { type: 'string', description: 'Partition-aware budgets: the partition of a pod from its name' },
                    podNameRegexGroup: {
                      type: 'integer',
                      minimum: 1,
                      description: 'The capture group of podNamePartitionRegex holding the partition (1-based)',
                    },
                    crossZoneEvictionDelay: { type: 'string', description: 'Partition-aware budgets: a Go duration between evictions of one partition' },
                  },
                },
              },
            },
          },
        },
      ],
    },
  };
}
