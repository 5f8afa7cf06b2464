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
  /**
   * Whether services may follow moving image tags here (ClusterProps.imageUpdates). Production
   * runs only what the release train pinned; staging may follow the tags our own CI moves.
   */
  readonly imageUpdates: 'pinned' | 'follow-tags';
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
      imageUpdates: 'pinned',
      replicas: (n) => n,
    },
    {
      name: 'staging',
      domain: 'stg.community.example.org',
      versions: ReleaseTrain.load(VERSIONS_FILE, 'staging'),
      imageUpdates: 'follow-tags',
      replicas: () => 1,
    },
  ];
}
