import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-27';
import { Problems } from '../core/errors';
import { duplicates, Rule } from '../core/rules';

/**
 * Identity-provider groups (FreeIPA via Keycloak, synced as OpenShift Groups) by the access they
 * get in a tenant.
 */
export interface TenantGroups {
  /** Groups bound to the `admin` ClusterRole. @default none */
  readonly admin?: readonly string[];
  /** Groups bound to the `edit` ClusterRole. @default none */
  readonly edit?: readonly string[];
  /** Groups bound to the `view` ClusterRole. @default none */
  readonly view?: readonly string[];
}

const ROLES = ['admin', 'edit', 'view'] as const;
const GROUP_NAME = /^[A-Za-z0-9][-A-Za-z0-9_.@ ]*$/;

/** An identity-provider group name as OpenShift Groups carry it. */
export const groupName: Rule<unknown> = (v) =>
  typeof v === 'string' && GROUP_NAME.test(v) ? undefined : `${JSON.stringify(v)} is not a group name (letters, digits, '-', '_', '.', '@')`;

/** Properties of {@link GroupAccess}. */
export interface GroupAccessProps {
  readonly namespace: string;
  readonly groups: TenantGroups;
}

/**
 * One RoleBinding per role (`tenant-admin`, `tenant-edit`, `tenant-view`) listing the groups.
 * Primary object (`ApiObject.of(access)`): the `tenant-admin` RoleBinding, the one always present.
 *
 * Emits: into the folder of the app it is in (a Tenant's own folder), in `namespace`, a
 * `rbac.authorization.k8s.io/v1` RoleBinding `tenant-<role>` to the ClusterRole `<role>` (`admin`,
 * `edit`, `view`) for each role that lists groups, its subjects the groups sorted by name.
 */
export class GroupAccess extends Construct {
  constructor(scope: Construct, id: string, props: GroupAccessProps) {
    super(scope, id);
    const p = new Problems(this.node.path);
    const groups = props.groups ?? {};
    for (const role of ROLES) {
      const list = groups[role];
      if (list === undefined) continue;
      if (!Array.isArray(list)) {
        p.add(`groups.${role}`, `must be a list of group names, got ${JSON.stringify(list)}`);
        continue;
      }
      list.forEach((g, i) => {
        p.check(`groups.${role}[${i}]`, g, groupName);
      });
      for (const d of duplicates(list)) p.add(`groups.${role}`, `group "${d}" is listed twice`);
    }
    if (!groups.admin?.length) p.add('groups.admin', 'at least one admin group is required, so someone can manage the tenant');
    p.throwIfAny();

    for (const role of ROLES) {
      const list = groups[role];
      if (!list?.length) continue;
      new k8s.KubeRoleBinding(this, role, {
        metadata: { name: `tenant-${role}`, namespace: props.namespace },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
        subjects: [...list].sort().map((name) => ({ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name })),
      });
    }
    this.node.defaultChild = this.node.tryFindChild('admin');
  }
}
