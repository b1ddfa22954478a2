// The Grafana Foundation SDK, loaded on first use. It is ~300 small CommonJS modules that take ~80 ms to
// load (a quarter of `generate`'s budget), and generate needs them only after the dashboards' code
// changed (cache.ts). Type imports cost nothing at run time; the values come through `sdk()`.
import { createRequire } from 'node:module';
import type * as common from '@grafana/grafana-foundation-sdk/common';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type * as nodegraph from '@grafana/grafana-foundation-sdk/nodegraph';
import type * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import type * as stat from '@grafana/grafana-foundation-sdk/stat';
import type * as table from '@grafana/grafana-foundation-sdk/table';
import type * as tempo from '@grafana/grafana-foundation-sdk/tempo';
import type * as text from '@grafana/grafana-foundation-sdk/text';
import type * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';

const load = createRequire(import.meta.url);
const module = <T>(name: string): T => load(`@grafana/grafana-foundation-sdk/${name}`) as T;

export interface Sdk {
  common: typeof common;
  dashboard: typeof dashboard;
  nodegraph: typeof nodegraph;
  prometheus: typeof prometheus;
  stat: typeof stat;
  table: typeof table;
  tempo: typeof tempo;
  text: typeof text;
  timeseries: typeof timeseries;
}

let loaded: Sdk | undefined;
export function sdk(): Sdk {
  loaded ??= {
    common: module('common'),
    dashboard: module('dashboard'),
    nodegraph: module('nodegraph'),
    prometheus: module('prometheus'),
    stat: module('stat'),
    table: module('table'),
    tempo: module('tempo'),
    text: module('text'),
    timeseries: module('timeseries'),
  };
  return loaded;
}
