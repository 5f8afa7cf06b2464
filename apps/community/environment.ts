import * as path from 'path';
import { ReleaseTrain } from '../../lib';

/** Settings that differ between the staging and production clusters. */
export interface Environment {
  /** `staging` or `production`; names dist/<name>/. */
  readonly name: string;
  /** Base DNS domain of public Routes. */
  readonly domain: string;
  /** Pinned versions of this environment (apps/community/versions.yaml). */
  readonly versions: ReleaseTrain;
  /** Replica count for a service that runs `production` replicas in production. */
  replicas(production: number): number;
}

const VERSIONS_FILE = path.join(__dirname, 'versions.yaml');

/** The two environments of the community cluster, from one codebase. */
export function environments(): Environment[] {
  return [
    {
      name: 'production',
      domain: 'community.example.org',
      versions: ReleaseTrain.load(VERSIONS_FILE, 'production'),
      replicas: (n) => n,
    },
    {
      name: 'staging',
      domain: 'stg.community.example.org',
      versions: ReleaseTrain.load(VERSIONS_FILE, 'staging'),
      replicas: () => 1,
    },
  ];
}
