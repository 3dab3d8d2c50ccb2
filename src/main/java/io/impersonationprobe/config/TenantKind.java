package io.impersonationprobe.config;

/** Where a tenant's mailboxes live, which decides the access model and the remediation advice. */
public enum TenantKind {
    /** Exchange Online: app-only OAuth, RBAC for Applications; EWS is being retired. */
    EXCHANGE_ONLINE,
    /** Exchange Server 2016, 2019 or Subscription Edition: the ApplicationImpersonation role. */
    ON_PREMISES
}
