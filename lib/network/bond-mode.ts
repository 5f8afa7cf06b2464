/**
 * Bond modes OpenShift supports on NMState bonds.
 * @see https://docs.openshift.com/container-platform/4.14/networking/k8s_nmstate/k8s-nmstate-updating-node-network-config.html
 */
export enum BondMode {
  /** One port active, the other standby; needs no switch configuration. */
  ACTIVE_BACKUP = 'active-backup',
  /** Static link aggregation with XOR hashing; the switch needs a port channel. */
  BALANCE_XOR = 'balance-xor',
  /** LACP (IEEE 802.3ad); the switch needs an LACP port channel. */
  LACP = '802.3ad',
}
