import { benchFleetYaml, buildBenchFleet, memberName } from '../../bench/fleet';
import { FleetRun, fleetReport, fleetTargets } from '../../bench/report';

const run = (clusters: number, ms: number, rss: number): FleetRun => ({ clusters, objects: clusters * 300, ms, cpu_ms: ms - 100, build_ms: 0, rss_mb: rss, repetitions: 3 });

describe('fleet benchmark', () => {
  test('the generated fleet: a hub and n members on two trains, objects linear in n', () => {
    expect(benchFleetYaml(3)).toContain(`name: ${memberName(2)}, train: stable`);
    const objects = (n: number) => buildBenchFleet(n, 2).reduce((sum, c) => sum + c.node.findAll().length, 0);
    const [a, b, c] = [objects(2), objects(4), objects(6)];
    expect(c - b).toBe(b - a);
    const clusters = buildBenchFleet(3, 1);
    expect(clusters.map((c) => c.outputFolder)).toEqual(['hub', 'site-000', 'site-001', 'site-002']);
    expect(clusters.map((c) => c.environment)).toEqual(['hub', 'candidate', 'stable', 'stable']);
  });

  test('linear growth is met, a per-cluster cost that grows is reported as missed', () => {
    const linear = fleetTargets([run(5, 1000, 200), run(10, 1500, 210), run(25, 3000, 240), run(50, 5500, 290)]);
    expect(linear).toEqual({ fleet_linearity: 5.5, fleet_linearity_limit: 11, fleet_rss_linearity: 1.45, fleet_marginal_cpu_ratio: 1, fleet_rss_mb_per_cluster: 2 });
    expect(fleetReport({ tenants_per_member: 20, runs: [run(5, 1000, 200), run(10, 1500, 210), run(25, 3000, 240), run(50, 5500, 290)], targets: linear }).join('\n')).not.toContain('MISSED');
    const quadratic = [run(5, 1000, 200), run(10, 1400, 210), run(25, 4000, 240), run(50, 14000, 400)];
    const t = fleetTargets(quadratic);
    expect(t.fleet_marginal_cpu_ratio).toBeGreaterThan(1.5);
    expect(fleetReport({ tenants_per_member: 20, runs: quadratic, targets: t }).join('\n')).toContain('MISSED CPU time per added cluster');
  });
});
