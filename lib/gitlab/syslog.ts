/**
 * Syslog facilities (RFC 5424 section 6.2.1), by the names rsyslog accepts.
 */
export enum SyslogFacility {
  KERN = 'kern', USER = 'user', MAIL = 'mail', DAEMON = 'daemon', AUTH = 'auth', SYSLOG = 'syslog',
  LPR = 'lpr', NEWS = 'news', UUCP = 'uucp', CRON = 'cron', AUTHPRIV = 'authpriv', FTP = 'ftp',
  LOCAL0 = 'local0', LOCAL1 = 'local1', LOCAL2 = 'local2', LOCAL3 = 'local3',
  LOCAL4 = 'local4', LOCAL5 = 'local5', LOCAL6 = 'local6', LOCAL7 = 'local7',
}

/** Syslog severities (RFC 5424 section 6.2.1), by the names rsyslog accepts. */
export enum SyslogSeverity {
  EMERG = 'emerg', ALERT = 'alert', CRIT = 'crit', ERR = 'err',
  WARNING = 'warning', NOTICE = 'notice', INFO = 'info', DEBUG = 'debug',
}

/** Transport to the central syslog. */
export enum SyslogProtocol {
  /** Reliable, required for TLS (RFC 5425). */
  TCP = 'tcp',
  /** Fire and forget (RFC 5426); no TLS. */
  UDP = 'udp',
}

/** How the relay checks the central syslog's certificate. */
export enum SyslogTlsAuthMode {
  /** Certificate chain valid and its name in `permittedPeers` (recommended). */
  X509_NAME = 'x509/name',
  /** Certificate chain valid, any name. */
  X509_CERTVALID = 'x509/certvalid',
  /** Encrypted, server not authenticated. */
  ANON = 'anon',
}

/** TLS to the central syslog (rsyslog `gtls` stream driver). */
export interface SyslogTlsOptions {
  /**
   * ConfigMap and key holding the CA bundle that signed the central syslog's certificate.
   * @default a ConfigMap `<relay>-trusted-ca` that OpenShift fills with the cluster's trusted
   *   CA bundle (label `config.openshift.io/inject-trusted-cabundle`), key `ca-bundle.crt`
   */
  readonly caConfigMap?: { readonly name: string; readonly key: string };
  /** @default SyslogTlsAuthMode.X509_NAME */
  readonly authMode?: SyslogTlsAuthMode;
  /**
   * Names accepted in the server certificate (for X509_NAME).
   * @default the target host
   */
  readonly permittedPeers?: readonly string[];
}

/** The central syslog the relay forwards to. */
export interface SyslogTarget {
  /** Host name or IPv4 address. */
  readonly host: string;
  /** Port (there is no default on purpose: 514, 601 and 6514 are all common). */
  readonly port: number;
  /** @default SyslogProtocol.TCP */
  readonly protocol?: SyslogProtocol;
  /** @default plain text */
  readonly tls?: SyslogTlsOptions;
}
