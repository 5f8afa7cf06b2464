import { Problems, show } from '../core/errors';
import { nonEmpty } from '../core/rules';

/** Annotation on the Gitaly VM saying how consistent a snapshot of its disks is. */
export const SNAPSHOT_CONSISTENCY_ANNOTATION = 'ocpkit.io/snapshot-consistency';
/** Annotation on the Gitaly VM saying why, and what restores repositories (crash-consistent snapshots only). */
export const SNAPSHOT_PLAN_ANNOTATION = 'ocpkit.io/snapshot-plan';

/**
 * How the repositories survive a restore (field review N13): a snapshot of a running VM's disks
 * (a KubeVirt VirtualMachineSnapshot, or OADP/Velero through its KubeVirt plugin) is only
 * crash-consistent unless the QEMU guest agent freezes the guest's file systems first. KubeVirt
 * freezes through the agent when the VMI has one and snapshots anyway, crash-consistent, when it
 * has none (kubevirt/kubevirt v1.0.1 pkg/storage/snapshot/source.go vmSnapshotSource.Freeze
 * returns without freezing when GuestAgent() finds no agent). There is no default: the stack says
 * which it is.
 */
export class GitalySnapshots {
  /**
   * The VM image runs `qemu-guest-agent`; snapshots freeze the file systems first. `how` says how
   * the agent gets there (for the next reader), for example "installed in the gitaly-root image".
   */
  public static guestAgent(how: string): GitalySnapshots {
    return new GitalySnapshots('guest-agent', how);
  }

  /**
   * Snapshots are crash-consistent and that is accepted: `plan` says why and what brings the
   * repositories back when a snapshot is not enough, for example "nightly gitaly-backup of all
   * repositories to s3://gitlab-repo-backups (toolbox backup-utility)".
   */
  public static crashConsistent(plan: string): GitalySnapshots {
    return new GitalySnapshots('crash-consistent', plan);
  }

  private constructor(
    /** Which consistency snapshots of the VM have. */
    public readonly consistency: 'guest-agent' | 'crash-consistent',
    /** How the agent is there, or the accepted plan. */
    public readonly note: string,
  ) {}

  /** @internal */
  public _check(p: Problems, field: string): void {
    p.check(field, this.note, (v) => (nonEmpty(v) === undefined && String(v).trim().length >= 10
      ? undefined
      : `${show(v)} says too little; ${this.consistency === 'guest-agent' ? 'say how the guest agent gets into the image' : 'say why crash-consistent snapshots are acceptable and what restores the repositories (for example a gitaly-backup schedule)'}`));
  }

  /** The VM annotations recording the choice. @internal */
  public _annotations(): Record<string, string> {
    return { [SNAPSHOT_CONSISTENCY_ANNOTATION]: this.consistency, [SNAPSHOT_PLAN_ANNOTATION]: this.note };
  }
}
