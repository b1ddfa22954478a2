// Vitest setup file: the e2e unit tests read the rendered environments through tests/e2e/rendered.ts,
// which builds each overlay with a blocking kustomize process; give it the global setup's builds instead.
import { seedBuilds } from '../e2e/rendered';
import { ROOT, prebuiltBuilds } from '../helpers/kustomize';

seedBuilds(ROOT, prebuiltBuilds());
