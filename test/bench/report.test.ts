import { machineScale, REFERENCE_MACHINE, report, Run } from '../../bench/report';

/** A row of results.json with the given timings (the rest irrelevant to the report's targets). */
function row(tenants: number, ocpkit: number, floor: number, cdk8s: number): Run {
  return {
    tenants, objects: tenants * 15, ocpkit_ms: ocpkit, cdk8s_ms: cdk8s, floor_ms: floor, rss_mb: 200, ocpkit_novalidate_ms: ocpkit, ocpkit_cold_ms: ocpkit,
    cdk8s_file_per_resource_ms: cdk8s, build_ms: 1, charts: tenants + 2, cpu_ms: { ocpkit, floor }, repetitions: {},
  };
}

function results(runs: Run[], whole: { warm: number; warmTc: number | null; cold: number }): any {
  return {
    runs,
    whole_process: { files: 1452, warm_ms: whole.warm, warm_cpu_ms: 1, warm_typecheck_ms: whole.warmTc, warm_typecheck_cpu_ms: whole.warmTc === null ? null : 1, cold_ms: whole.cold, cold_cpu_ms: 1, typecheck_flag: whole.warmTc !== null, repetitions: 5 },
    synth_process_ms: 1, reference_stack_objects: 1452, diff_ms: 1, diff_inprocess_ms: 1, diff_changed_files: 1, diff_total_files: 100,
    machine: { cpu: 'test', cores: 2, memory_gb: 1, node: 'v20', loadavg_before: [0], loadavg_after: [0] },
    targets: {
      floor_ratio_46: Math.round((runs[0].ocpkit_ms / runs[0].floor_ms) * 100) / 100,
      cdk8s_ratio_46: Math.round((runs[0].ocpkit_ms / runs[0].cdk8s_ms!) * 100) / 100,
      machine_scale: machineScale(runs),
      floor_ratio_2000: Math.round((runs[1].ocpkit_ms / runs[1].floor_ms) * 100) / 100,
      linearity_2000: null, linearity_limit: null, validation_share_2000: 0.1, rss_2000_mb: 300,
    },
  };
}

describe('bench report', () => {
  test('the machine scale is the median ratio of this run\'s floor to the reference machine\'s', () => {
    expect(machineScale([row(46, 1, REFERENCE_MACHINE.floor_ms[46] * 2, 1), row(2000, 1, REFERENCE_MACHINE.floor_ms[2000] * 3, 1)])).toBe(2.5);
    expect(machineScale([row(46, 1, REFERENCE_MACHINE.floor_ms[46] * 2, 1)])).toBe(2);
    expect(machineScale([row(47, 1, 100, 1)])).toBeNull();
  });

  test('whole-process targets are judged against the reference targets scaled by the machine', () => {
    // this machine is 2x the reference: 600 ms -> 1200 ms warm, 1200 ms -> 2400 ms cold
    const runs = [row(46, 200, REFERENCE_MACHINE.floor_ms[46] * 2, 300), row(2000, 4700, REFERENCE_MACHINE.floor_ms[2000] * 2, 9000)];
    const met = report(results(runs, { warm: 1150, warmTc: 1190, cold: 2300 }));
    expect(met).toMatch(/met +whole-process synth in this checkout \(TypeScript sources\), warm: 1190 ms \(limit 600 ms there, 1200 ms here\)/);
    expect(met).toMatch(/met +whole-process synth in this checkout \(TypeScript sources\), cold: 2300 ms \(limit 1200 ms there, 2400 ms here\)/);
    expect(met).toMatch(/met +ocpkit within 1.5x of the floor at 46 tenants: 0.91x/);
    expect(met).toMatch(/met +ocpkit faster than stock cdk8s at 46 tenants: 0.67x/);
    expect(met).toMatch(/met +ocpkit within 1.2x of the floor at 2,000 tenants: 1.16x/);

    // the slower of warm with and without the type-check counts
    const missed = report(results([row(46, 400, runs[0].floor_ms, 300), row(2000, 5000, runs[1].floor_ms, 9000)], { warm: 1100, warmTc: 1300, cold: 2500 }));
    expect(missed).toMatch(/MISSED whole-process synth in this checkout \(TypeScript sources\), warm: 1300 ms/);
    expect(missed).toMatch(/MISSED whole-process synth in this checkout \(TypeScript sources\), cold: 2500 ms/);
    expect(missed).toMatch(/MISSED ocpkit within 1.5x of the floor at 46 tenants: 1.82x/);
    expect(missed).toMatch(/MISSED ocpkit faster than stock cdk8s at 46 tenants: 1.33x/);
    expect(missed).toMatch(/MISSED ocpkit within 1.2x of the floor at 2,000 tenants: 1.23x/);
  });

  test('the installed package form (build/) is judged on the same scaled limits, and left out when it was not measured', () => {
    const runs = [row(46, 200, REFERENCE_MACHINE.floor_ms[46] * 2, 300), row(2000, 4700, REFERENCE_MACHINE.floor_ms[2000] * 2, 9000)];
    const base = results(runs, { warm: 1150, warmTc: 1190, cold: 2300 });
    const withInstalled = (warm: number, cold: number) => report({ ...base, whole_process: { ...base.whole_process, installed_warm_ms: warm, installed_warm_cpu_ms: 900, installed_cold_ms: cold, installed_cold_cpu_ms: null } });
    const met = withInstalled(1100, 2400);
    expect(met).toMatch(/met +whole-process synth as an installed package \(build\/\), warm: 1100 ms \(cpu 900 ms\) \(limit 1200 ms here\)/);
    expect(met).toMatch(/met +whole-process synth as an installed package \(build\/\), cold: 2400 ms \(limit 2400 ms here\)/);
    const missed = withInstalled(1201, 2401);
    expect(missed).toMatch(/MISSED whole-process synth as an installed package \(build\/\), warm: 1201 ms/);
    expect(missed).toMatch(/MISSED whole-process synth as an installed package \(build\/\), cold: 2401 ms/);
    expect(report(base)).not.toMatch(/installed package/);
  });

  test('the diff\'s 2 s limit is scaled by the machine too', () => {
    const runs = [row(46, 200, REFERENCE_MACHINE.floor_ms[46] * 3, 300), row(2000, 4700, REFERENCE_MACHINE.floor_ms[2000] * 3, 9000)];
    const scaled = (diff: number) => report({ ...results(runs, { warm: 1, warmTc: 1, cold: 1 }), diff_ms: diff });
    expect(scaled(5900)).toMatch(/met +ocpkit diff, 2,000 tenants: 5900 ms \(limit 2000 ms there, 6000 ms here\)/);
    expect(scaled(6100)).toMatch(/MISSED ocpkit diff, 2,000 tenants: 6100 ms \(limit 2000 ms there, 6000 ms here\)/);
  });

  test('without a type-check in the CLI the report says so and judges the warm run alone', () => {
    const runs = [row(46, 200, REFERENCE_MACHINE.floor_ms[46], 300), row(2000, 2100, REFERENCE_MACHINE.floor_ms[2000], 9000)];
    const text = report(results(runs, { warm: 590, warmTc: null, cold: 1000 }));
    expect(text).toMatch(/no type-check in this CLI/);
    expect(text).toMatch(/met +whole-process synth in this checkout \(TypeScript sources\), warm: 590 ms \(limit 600 ms there, 600 ms here\)/);
  });
});
