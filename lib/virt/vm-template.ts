import { Construct } from 'constructs';
import { VirtualMachine, VirtualMachineProps } from './virtual-machine';

/** What a template leaves open: the name, and anything the family may override. */
export type VirtualMachineOverrides = Partial<VirtualMachineProps> & { readonly name: string };

/**
 * A family of similar VMs (build hosts, identity replicas): shared defaults, stamped out with
 * per-VM overrides. Overrides replace defaults field by field; `labels` and `annotations` are
 * merged, and `networks` and `dataDisks` of the overrides replace the template's.
 *
 * ```ts
 * const builders = new VirtualMachineTemplate({ cpu: 8, memory: '16Gi', rootDisk: {...} });
 * builders.create(app, 'Build1', { name: 'build-1' });
 * ```
 */
export class VirtualMachineTemplate {
  constructor(public readonly defaults: Partial<VirtualMachineProps>) {}

  /** A new template with more defaults (a sub-family). */
  public extend(more: Partial<VirtualMachineProps>): VirtualMachineTemplate {
    return new VirtualMachineTemplate(merge(this.defaults, more));
  }

  /** Defines one VM of the family. */
  public create(scope: Construct, id: string, overrides: VirtualMachineOverrides): VirtualMachine {
    return new VirtualMachine(scope, id, merge(this.defaults, overrides) as VirtualMachineProps);
  }
}

function merge(a: Partial<VirtualMachineProps>, b: Partial<VirtualMachineProps>): Partial<VirtualMachineProps> {
  const out: any = { ...a, ...b };
  if (a.labels || b.labels) out.labels = { ...a.labels, ...b.labels };
  if (a.annotations || b.annotations) out.annotations = { ...a.annotations, ...b.annotations };
  // An override of instancetype drops the template's explicit size, and the other way round.
  if (b.instancetype !== undefined && b.cpu === undefined && b.memory === undefined) {
    delete out.cpu;
    delete out.memory;
    delete out.cpuRequest;
  }
  if ((b.cpu !== undefined || b.memory !== undefined) && b.instancetype === undefined) delete out.instancetype;
  return out;
}
