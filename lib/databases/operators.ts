import { CatalogSource } from '../olm/catalog-source';
import { OperatorInstallProps } from '../olm/operator-install';

/**
 * The operator pins the database constructs are written for, as {@link OperatorInstallProps}
 * without the namespace (the caller chooses it). From the 4.14 catalog
 * (../shared/crds/profiles/ocp-4.14/catalog/operators.yaml):
 * - `crunchy-postgres-operator` (certified-operators, channel v5): `postgresoperator.v5.8.7`,
 *   com.redhat.openshift.versions v4.14-v4.21, served by the v4.14 catalog template
 *   (redhat-openshift-ecosystem/certified-operators@3b7b563a8acb catalog-templates/v4.14.yaml),
 *   install modes Own/Single/Multi/AllNamespaces.
 * - `percona-xtradb-cluster-operator-certified` (certified-operators, channel stable):
 *   `percona-xtradb-cluster-operator-certified.v1.14.0`, v4.12-v4.14, install modes OwnNamespace
 *   and SingleNamespace only: one operator per namespace that holds clusters (a tenant with a
 *   MySQL database needs its own install, or a SingleNamespace install targeting it).
 */
export const PGO_OPERATOR: Omit<OperatorInstallProps, 'namespace'> = {
  packageName: 'crunchy-postgres-operator',
  channel: 'v5',
  startingCsv: 'postgresoperator.v5.8.7',
  catalog: CatalogSource.CERTIFIED_OPERATORS,
};

export const PXC_OPERATOR: Omit<OperatorInstallProps, 'namespace'> = {
  packageName: 'percona-xtradb-cluster-operator-certified',
  channel: 'stable',
  startingCsv: 'percona-xtradb-cluster-operator-certified.v1.14.0',
  catalog: CatalogSource.CERTIFIED_OPERATORS,
};
