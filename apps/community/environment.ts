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
  /**
   * Git revision this environment's Argo CD syncs (ClusterProps.targetRevision). Staging follows
   * `main`; production follows the `release/production` branch, which is moved forward (fast-forward
   * only, `git push origin <commit>:release/production`) to a commit staging has run. A change to
   * the library, a construct or dist/ therefore reaches staging first, and production only when
   * someone promotes that commit (field review m5).
   */
  readonly revision: string;
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
      revision: 'release/production',
      replicas: (n) => n,
    },
    {
      name: 'staging',
      domain: 'stg.community.example.org',
      versions: ReleaseTrain.load(VERSIONS_FILE, 'staging'),
      imageUpdates: 'follow-tags',
      revision: 'main',
      replicas: () => 1,
    },
  ];
}
