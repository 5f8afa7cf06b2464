/**
 * The generated fleet the benchmark synthesizes: N member clusters on two release trains (every
 * third on `candidate`, the others on `stable`) plus the hub with one ApplicationSet per train.
 * Each member carries the benchmark content of bench/stack.ts with a fixed number of tenants, so
 * objects grow linearly with N, and its first tenant's image comes from its train's pins.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Cluster, Fleet } from '../lib';
import { addBenchContent } from './stack';

/** Tenants per member cluster (about fifteen objects each). */
export const TENANTS_PER_MEMBER = 20;

/** Zero-padded member name, `site-000`, `site-001` ... */
export function memberName(i: number): string {
  return `site-${String(i).padStart(3, '0')}`;
}

/** The fleet file of n members. */
export function benchFleetYaml(n: number): string {
  const lines = ['trains:', '  candidate: { revision: trains/candidate }', '  stable: { revision: trains/stable }', 'clusters:'];
  for (let i = 0; i < n; i++) {
    const name = memberName(i);
    lines.push(`  - { name: ${name}, train: ${i % 3 === 0 ? 'candidate' : 'stable'}, apiUrl: "https://api.${name}.example.org:6443", labels: { region: r${i % 4} } }`);
  }
  return `${lines.join('\n')}\n`;
}

const VERSIONS = ['environments:', '  candidate: { images.web: "quay.io/community/fleet-web:2.0.0" }', '  stable: { images.web: "quay.io/community/fleet-web:1.9.0" }', ''].join('\n');

/** Builds the hub and n members (the versions file goes to a temporary folder, removed again). */
export function buildBenchFleet(n: number, tenantsPerMember = TENANTS_PER_MEMBER): Cluster[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-bench-fleet-'));
  try {
    const versions = path.join(dir, 'versions.yaml');
    fs.writeFileSync(versions, VERSIONS);
    return Fleet.parse('fleet.yaml', benchFleetYaml(n), {
      repoUrl: 'https://git.example.org/infra/fleet.git',
      platform: { openshift: '4.14', networkType: 'OVNKubernetes', gitops: '1.12', argoCd: '2.10.18' },
      versions,
      member: (cluster, _member, train) => addBenchContent(cluster, { tenants: tenantsPerMember, firstImage: train.get('images.web') }),
    }).clusters();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
