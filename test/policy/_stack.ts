import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { OcpkitError } from '../../lib/core/errors';
import { Quantity } from '../../lib/core/quantity';
import { Cluster } from '../../lib/gitops/cluster';
import { Tenant } from '../../lib/tenancy/tenant';
import { synth, testCluster } from '../_helpers';

export const quota = { cpu: Quantity.parse('2'), memory: Quantity.parse('4Gi'), storage: Quantity.parse('10Gi') };

/** A cluster with one tenant "forum". */
export function tenantStack(): { cluster: Cluster; tenant: Tenant } {
  const cluster = testCluster();
  const tenant = new Tenant(cluster, 'Forum', { name: 'forum', displayName: 'Forum', groups: { admin: ['forum-admins'] }, quota });
  return { cluster, tenant };
}

/** A Deployment with one container; `pod` and `container` are merged into the pod spec and container. */
export function deployment(scope: Construct, id: string, opts: { name?: string; namespace?: string; image?: string; container?: object; pod?: object } = {}): k8s.KubeDeployment {
  const name = opts.name ?? 'web';
  const labels = { app: name };
  return new k8s.KubeDeployment(scope, id, {
    metadata: { name, namespace: opts.namespace },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name, image: opts.image ?? 'quay.io/example/web:1.2.3', ...opts.container }], ...opts.pod },
      },
    },
  });
}

/** Synthesizes and returns the OcpkitError (fails the test when the synth passes or throws anything else). */
export function synthError(cluster: Cluster): OcpkitError {
  try {
    synth(cluster);
  } catch (e) {
    if (e instanceof OcpkitError) return e;
    throw e;
  }
  throw new Error('synth passed, expected an OcpkitError');
}

/** The problems of one policy in an error. */
export function policyProblems(err: OcpkitError, id: string) {
  return err.problems.filter((p) => p.message.startsWith(`policy ${id}:`));
}

export { ApiObject };
