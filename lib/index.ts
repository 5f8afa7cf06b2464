// The public API of ocpkit: every name a stack, a test or a tool built on ocpkit may import from
// 'ocpkit', listed explicitly per domain. Anything not listed here is internal and may change in
// any release; test/package/public-api.test.ts pins this list (and that no name clashes with cdk8s,
// cdk8s-plus-27 or constructs), so a change to the surface is a deliberate, reviewed edit.
// The review tools (what a change of dist/ does: diffTrees, formatText...) are the 'ocpkit/diff'
// entry (lib/diff-api.ts): a stack does not load them.

// core
export {
  OcpkitError,
  OneLineError,
  Problems,
  Quantity,
  SecretKey,
  UsageError,
  YamlInputError,
  isOcpkitError,
} from './core';
export type {
  Problem,
  QuantityLike,
  Rule,
} from './core';

// data
export {
  DataEntry,
  DataFile,
} from './data';
export type {
  DataFileOptions,
  FieldOptions,
} from './data';

// platform
export {
  OperatorCatalog,
  Platform,
} from './platform';
export type {
  ChartRelease,
  CsvFacts,
  GitOpsFacts,
  NetworkType,
  OperatorPin,
  PackageFacts,
  PinVerdict,
  PlatformProps,
} from './platform';

// synth
export {
  OutputInterruptedError,
  OutputLockedError,
  OutputRefusedError,
  OutputWriteError,
  Overrides,
  Plugins,
  TreeIndex,
  writeTree,
} from './synth';
export type {
  Artifact,
  ArtifactProducer,
  CheckContext,
  JsonPatchOperation,
  ManifestTransform,
  Pipeline,
  Placement,
  SynthCheck,
  SynthRoot,
  SynthesisResult,
  SynthesizedObject,
  TransformContext,
  WriteReport,
} from './synth';

// pipeline-defaults
export {
  defaultPipeline,
  synthesize,
} from './pipeline-defaults';
export type {
  SynthesizeOptions,
} from './pipeline-defaults';

// schema
export {
  SchemaSetError,
  SchemaValidator,
  checkSchemaCache,
  syncSchemas,
} from './schema';
export type {
  CacheStatus,
  SchemaCacheOptions,
  SchemaIssue,
  SchemaValidatorOptions,
  SchemaWarning,
  SyncOptions,
  SyncReport,
} from './schema';

// refs
export {
  External,
  Provides,
} from './refs';
export type {
  CrossNamespaceClone,
  ExternalObject,
  ExternalOptions,
  ExternalsDocument,
  ExternalsEntry,
  ManifestRefs,
  PlatformFacts,
  ProvideOptions,
  ProvidedBy,
  Provision,
  RefKind,
  Reference,
  ReferenceCheckOptions,
  Resolution,
  ResolvedExternal,
  ScanOptions,
} from './refs';

// policy
export {
  BUILTIN_POLICIES,
  Policies,
  Policy,
  SystemNamespaces,
  checkPolicies,
  waiverAnnotation,
} from './policy';
export type {
  CheckPoliciesOptions,
  Finding,
  PolicyContext,
  PolicyObject,
  PolicyRule,
} from './policy';

// check
export {
  validateTree,
} from './check/validate-tree';
export type {
  TreeReport,
  ValidateTreeOptions,
} from './check/validate-tree';

// gitops
export {
  ArgoCdInstance,
  Cluster,
  Delivery,
  GitOpsApp,
  ReleaseTrain,
  RootApp,
  SyncWave,
} from './gitops';
export type {
  ClusterProps,
  GitOpsAppProps,
  IgnoreDifference,
  ResolvedDelivery,
  WaveChoice,
} from './gitops';

// tenancy
export {
  GroupAccess,
  NetworkIsolation,
  PodSecurityLevel,
  Tenant,
  TenantProject,
  TenantQuota,
  loadTenantFile,
  readTenants,
} from './tenancy';
export type {
  AllowPortsOptions,
  ContainerDefaults,
  GroupAccessProps,
  NetworkIsolationOptions,
  NetworkIsolationProps,
  TenantGroups,
  TenantProjectProps,
  TenantProps,
  TenantQuotaLimits,
  TenantQuotaProps,
  TenantTls,
} from './tenancy';

// openshift
export {
  ContainerApp,
  ExternalImage,
  ImageUpdates,
  Route,
  RouteTls,
  SERVING_CERT_DIR,
  TrackedImageStream,
} from './openshift';
export type {
  ContainerAppProps,
  ContainerAppRouteOptions,
  IServicePort,
  RouteProps,
  TrackedImageStreamProps,
} from './openshift';

// certs
export {
  AcmeAccount,
  AcmeClusterIssuer,
  AcmeIssuer,
  CertificateScope,
  Dns01Solver,
  Issuers,
} from './certs';
export type {
  AcmeClusterIssuerProps,
  AcmeIssuerProps,
  CertificateScopeProps,
  IIssuer,
} from './certs';

// network
export {
  BondMode,
  BridgeNetwork,
  CniFlavour,
  HostBridge,
  Ipam,
  MachineAddress,
  NMStateOperand,
  NodeGroup,
} from './network';
export type {
  BondOptions,
  BridgeNetworkProps,
  HostBridgeProps,
  IBridgeNetwork,
  MachineNetworkProps,
  NMStateOperandProps,
  NicProps,
  NodeBondProps,
  NodeGroupProps,
  StaticAddress,
  StaticRoute,
  WhereaboutsOptions,
} from './network';

// virt
export {
  AccessMode,
  CloudInit,
  ClusterEvictionStrategy,
  ClusterInstancetype,
  ClusterPreference,
  ConfigDisk,
  ConsoleLogin,
  DiskSource,
  EvictionStrategy,
  Firmware,
  GOLDEN_IMAGES_NAMESPACE,
  GoldenImage,
  GoldenImages,
  GuestAddress,
  GuestNetwork,
  GuestOs,
  HyperConverged,
  OPENSHIFT_BOOT_SOURCES,
  RhelSubscription,
  RunStrategy,
  SshAuthorizedKeys,
  SshKeyPropagation,
  VirtualMachine,
  VirtualMachineTemplate,
  VmReadiness,
  VolumeMode,
  loadVmFile,
  parseVmFile,
} from './virt';
export type {
  BootSource,
  CloudInitConfig,
  CloudInitContext,
  CloudInitUser,
  ClusterInstancetypeProps,
  ClusterPreferenceProps,
  ConfigDiskAttachOptions,
  CpuTopology,
  DataDiskOptions,
  DhcpOptions,
  DiskSourceKind,
  DiskStorageOptions,
  GoldenImageOptions,
  GoldenImagesProps,
  GuestAddressKind,
  GuestInterface,
  HttpImageOptions,
  HyperConvergedProps,
  IDataSource,
  IInstancetype,
  IPreference,
  InstancetypeSize,
  IsoOptions,
  LiveMigrationSettings,
  LoadVmFileOptions,
  NetworkAttachmentOptions,
  OpenShiftBootSource,
  ProbeTimings,
  PvcRef,
  RegistryImageOptions,
  RootDiskOptions,
  StaticAddressOptions,
  VirtualMachineOverrides,
  VirtualMachineProps,
  VmDiskInfo,
  VmFileEntry,
  VmFileNetwork,
  VmInterface,
  VmPort,
  VmRequests,
  YumRepo,
} from './virt';

// olm
export {
  CatalogSource,
  GLOBAL_OPERATORS_NAMESPACE,
  InstallPlanApproval,
  InstallPlanApprover,
  OperatorInstall,
  OperatorTargets,
} from './olm';
export type {
  ApproverPin,
  CatalogWaiver,
  InstallPlanApproverProps,
  OperatorInstallProps,
} from './olm';

// gitlab
export {
  ExternalGitaly,
  GitLab,
  GitLabComponent,
  GitLabDataMigration,
  GitLabLogRelay,
  GitLabNetworkIsolation,
  GitLabOperator,
  GitLabRunner,
  GitLabRunnerOperator,
  GitalySnapshots,
  RelayImage,
  RunnerImageBuilds,
  RunnerImages,
  RunnerJobNamespace,
  SyslogCa,
  SyslogFacility,
  SyslogProtocol,
  SyslogSeverity,
  SyslogStreamDriver,
  SyslogTlsAuthMode,
  runnerVersionShippedBy,
} from './gitlab';
export type {
  AdvisoryRange,
  AdvisoryWaiver,
  ContainerBounds,
  ExternalGitalyProps,
  GitLabAdvisory,
  GitLabBackendSelector,
  GitLabBuckets,
  GitLabComponentSizing,
  GitLabDatabaseOptions,
  GitLabEdition,
  GitLabFlow,
  GitLabLogFile,
  GitLabLogRelayProps,
  GitLabNetworkIsolationProps,
  GitLabObjectStorageOptions,
  GitLabOidcOptions,
  GitLabOperatorProps,
  GitLabPostgres,
  GitLabProps,
  GitLabRedisOptions,
  GitLabRunnerProps,
  GitLabSmtpOptions,
  GitLabTlsOptions,
  GitalyGuestOptions,
  GitalyNodeSettings,
  GitalyTlsOptions,
  IGitLabServer,
  IGitalyEndpoint,
  LinuxPackageMigrationOptions,
  RunnerArch,
  RunnerImagesProps,
  RunnerJobNamespaceProps,
  RunnerJobResources,
  RunnerRegistration,
  RunnerS3CacheOptions,
  SyslogTarget,
  SyslogTlsOptions,
} from './gitlab';

// databases
export {
  PGO_OPERATOR,
  PXC_OPERATOR,
  PerconaXtraDBCluster,
  PostgresCluster,
  Redis,
  S3Endpoint,
} from './databases';
export type {
  ComputeResources,
  PerconaXtraDBClusterProps,
  PgBackRestRetention,
  PgBackRestS3Backups,
  PgBackRestSchedules,
  PostgresClusterProps,
  PostgresInstanceSet,
  PostgresUser,
  PxcS3Backups,
  RedisProps,
  S3CaSource,
  S3Target,
} from './databases';

// backup
export {
  BackupCoverage,
  BackupExemption,
  BackupSchedule,
  BackupScheduleSet,
  BackupStorage,
  BucketEncryption,
  CephRelease,
  CronSchedule,
  DataProtection,
  EncryptionKind,
  EtcdBackup,
  EtcdBackupTarget,
  EtcdSnapshotRecipient,
  GoDuration,
  MinioKms,
  OADP_NAMESPACE,
  ObjectStore,
  ObjectStoreKind,
  TenantRestore,
  TenantSelection,
  VELERO_REPOSITORY_PASSWORD,
  VeleroPlugin,
  VeleroSnapshotClass,
  VolumeBackup,
} from './backup';
export type {
  BackupExemptionProps,
  BackupLabelSelector,
  BackupScheduleProps,
  BackupScheduleSetProps,
  BackupStorageProps,
  BackupTarget,
  CephKmsBackend,
  CephRgwProps,
  CronLike,
  CronTime,
  DataProtectionProps,
  DurationLike,
  EtcdBackupCopy,
  EtcdBackupProps,
  IBackupStorage,
  MinioProps,
  SnapshotClassProvidedBy,
  SnapshotEncryptionCommand,
  TenantRestoreProps,
  VeleroSnapshotClassProps,
} from './backup';

// monitoring
export {
  AlertRuleSet,
  ArgoCdAlerts,
  BackupAlerts,
  CertificateAlerts,
  ClusterMonitoring,
} from './monitoring';
export type {
  AlertRule,
  AlertRuleSetProps,
  AlertRunbook,
  AlertSeverity,
  ArgoCdAlertsProps,
  BackupAlertsProps,
  CertificateAlertsProps,
  ClusterMonitoringProps,
} from './monitoring';

// fleet
export {
  Fleet,
} from './fleet';
export type {
  FleetHubProps,
  FleetMember,
  FleetProps,
  FleetTrain,
} from './fleet';

// types that public members use, declared in modules that are otherwise internal
export type { RuleEvaluator } from './monitoring/cluster-monitoring';
export type { Toleration } from './network/nmstate';
export type { IpamKind } from './network/ipam';
export type { SchemaLock, LockedFile } from './schema/lock';
export type { IngressFlow } from './core/ingress-flow';
export type { Values as GitLabChartValues } from './gitlab/_values';
