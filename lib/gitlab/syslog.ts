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

/**
 * rsyslog's TLS stream drivers (netstream drivers), by the name `omfwd streamDriver` takes. Each is
 * a loadable module (`lmnsd_<name>.so`) shipped in its own package, not in rsyslog itself.
 */
export enum SyslogStreamDriver {
  /** GnuTLS, `lmnsd_gtls.so` (Debian/Ubuntu package `rsyslog-gnutls`). */
  GTLS = 'gtls',
  /** OpenSSL, `lmnsd_ossl.so` (Debian/Ubuntu package `rsyslog-openssl`). */
  OSSL = 'ossl',
}

/** Where the CA that signed the central syslog's certificate comes from: always an explicit choice. */
export class SyslogCa {
  /**
   * A key of a ConfigMap in the relay's namespace holding the CA bundle (PEM). If the stack does
   * not create the ConfigMap, declare it with `External.configMap(app, name, { keys: [key], ... })`:
   * reference resolution refuses the relay's volume otherwise.
   */
  public static configMapKey(name: string, key: string): SyslogCa {
    return new SyslogCa({ name, key });
  }

  /**
   * The cluster's trusted CA bundle, which OpenShift's Cluster Network Operator injects into a
   * ConfigMap labelled `config.openshift.io/inject-trusted-cabundle` (key `ca-bundle.crt`): the
   * system CAs plus the cluster Proxy's `trustedCA`. Choose it only if the central syslog's CA
   * (for example the FreeIPA CA) is in the Proxy `trustedCA`; if it is not, every TLS handshake
   * fails (the relay queues and retries, it ships nothing).
   */
  public static clusterTrustedBundle(): SyslogCa {
    return new SyslogCa(undefined);
  }

  private constructor(
    /** The explicit ConfigMap key, or undefined for the cluster's trusted bundle. */
    public readonly configMap: { readonly name: string; readonly key: string } | undefined,
  ) {}
}

/** TLS to the central syslog (RFC 5425: octet-counted framing over TLS). */
export interface SyslogTlsOptions {
  /** The CA that signed the central syslog's certificate; there is no default on purpose. */
  readonly ca: SyslogCa;
  /**
   * Stream driver; the relay image must ship it (see `RelayImage`).
   * @default SyslogStreamDriver.GTLS
   */
  readonly driver?: SyslogStreamDriver;
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
