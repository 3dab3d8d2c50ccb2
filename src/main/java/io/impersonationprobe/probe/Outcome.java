package io.impersonationprobe.probe;

import io.impersonationprobe.config.TenantKind;

/**
 * The bounded catalogue of what a probe can meet; the {@code outcome} label of the metrics. Each outcome carries the
 * verdict it implies, its cause and what an admin should do, told for Exchange Online and for on-premises Exchange.
 * Only {@link #OK} means access and only {@link #IMPERSONATION_DENIED} and {@link #ACCESS_DENIED} mean a refusal: every other outcome is an
 * {@link Verdict#ERROR}, so a broken probe can never pass for a correctly denied one.
 */
public enum Outcome {
    OK(Verdict.ALLOWED,
            "The daemon acted as the mailbox and read the ID of one well-known folder.",
            "None.",
            "None."),
    IMPERSONATION_DENIED(Verdict.DENIED,
            "Exchange refused to let the account act as this mailbox (ErrorImpersonateUserDenied or ErrorImpersonationDenied).",
            "If the mailbox should be reachable: give the app's service principal the role 'Application EWS.AccessAsApp' "
                    + "with a management scope or administrative unit that covers the mailbox (New-ManagementRoleAssignment "
                    + "-App <sp> -Role \"Application EWS.AccessAsApp\" -CustomResourceScope <scope>), then allow 30 min to "
                    + "2 h for the grant to take effect; Test-ServicePrincipalAuthorization -Identity <sp> -Resource "
                    + "<mailbox> shows the configured truth at once. If the org is dehydrated, run "
                    + "Enable-OrganizationCustomization first. If the mailbox must not be reachable, this is the expected answer.",
            "If the mailbox should be reachable: assign ApplicationImpersonation to the service account with a scope "
                    + "that covers the mailbox (New-ManagementScope -RecipientRestrictionFilter …, then "
                    + "New-ManagementRoleAssignment -Role ApplicationImpersonation -User <svc> -CustomRecipientWriteScope "
                    + "<scope>) and allow time for replication. If the mailbox must not be reachable, this is the expected answer."),
    ACCESS_DENIED(Verdict.DENIED,
            "Exchange refused access to the mailbox (ErrorAccessDenied).",
            "If the mailbox should be reachable: check that the app's RBAC for Applications scope (management scope "
                    + "or administrative unit) covers it and that no application access policy excludes it; "
                    + "Test-ServicePrincipalAuthorization -Identity <sp> -Resource <mailbox> shows what Exchange decides. "
                    + "If it must not be reachable, this is the expected answer.",
            "If the mailbox should be reachable: check the service account's ApplicationImpersonation assignment and "
                    + "its CustomRecipientWriteScope. If it must not be reachable, this is the expected answer."),
    MAILBOX_NOT_FOUND(Verdict.ERROR,
            "Exchange has no mailbox with this SMTP address (ErrorNonExistentMailbox).",
            "Check the address for typos and that the mailbox exists and is licensed (Get-EXOMailbox <address>); "
                    + "remove departed users from the target list.",
            "Check the address for typos and that the mailbox exists (Get-Mailbox <address>); remove departed users "
                    + "from the target list."),
    AUTH_FAILED(Verdict.ERROR,
            "The EWS endpoint rejected the daemon's credentials (HTTP 401 or 403).",
            "Check that the app has the Exchange permission full_access_as_app (or an RBAC for Applications "
                    + "assignment), that the token's audience is https://outlook.office365.com, and that EWS is enabled "
                    + "for the org and this app (EwsEnabled, EwsAllowedAppIDs in Get-OrganizationConfig).",
            "Check the service account's password, that it is not locked out, and that the EWS virtual directory "
                    + "allows the configured authentication method."),
    TOKEN_FAILED(Verdict.ERROR,
            "No access token could be obtained from Entra ID.",
            "If the token service was not reached, check DNS, proxy and firewall rules for login.microsoftonline.com. "
                    + "If it answered with an AADSTS error, check the directory (tenant) ID, the application (client) ID "
                    + "and that the client secret has not expired (Entra admin center > App registrations > "
                    + "Certificates & secrets).",
            "If the token service was not reached, check the network path to it; if it answered with an error, check "
                    + "the tenant's directory ID, client ID and secret."),
    THROTTLED(Verdict.ERROR,
            "Exchange is throttling the daemon (ErrorServerBusy, HTTP 429 or 503 with Retry-After).",
            "Lower the tenant's concurrency or lengthen the group intervals; EWS allows 27 concurrent requests per account.",
            "Lower the tenant's concurrency or lengthen the group intervals, or give the service account a throttling "
                    + "policy with a higher EWSMaxConcurrency."),
    TIMEOUT(Verdict.ERROR,
            "The probe did not complete before its deadline.",
            "Check the network path to outlook.office365.com and proxy settings; raise impersonation.probe.timeout "
                    + "if the tenant is merely slow.",
            "Check that the Exchange server answers and how loaded it is; raise impersonation.probe.timeout if it "
                    + "is merely slow."),
    UNAVAILABLE(Verdict.ERROR,
            "The EWS endpoint could not be reached or answered with a server error.",
            "Check DNS, firewall and proxy rules for outlook.office365.com, and the Microsoft 365 service health.",
            "Check DNS, the firewall and that the Exchange server and its IIS EWS virtual directory are up."),
    TLS_FAILED(Verdict.ERROR,
            "The TLS handshake failed: the server's certificate is not trusted or does not match the host name.",
            "Check for a TLS-inspecting proxy between the daemon and Exchange Online.",
            "Install a certificate issued for the EWS host name by a trusted CA on the Exchange server, or trust the "
                    + "internal CA in the daemon's JVM trust store."),
    ENDPOINT_NOT_FOUND(Verdict.ERROR,
            "The EWS URL answered 404: there is no EWS endpoint at that address.",
            "Use https://outlook.office365.com/EWS/Exchange.asmx for Exchange Online.",
            "Check the tenant's ews-url; it normally ends in /EWS/Exchange.asmx."),
    INVALID_RESPONSE(Verdict.ERROR,
            "The server's answer was not an EWS SOAP response (wrong content, too large, or not XML).",
            "Check for a proxy or captive portal answering in place of Exchange Online.",
            "Check that the ews-url points at Exchange and not at a load balancer or login page."),
    UNKNOWN_ERROR(Verdict.ERROR,
            "Exchange answered with an error this daemon does not classify; the EWS response code and message are kept.",
            "Look up the EWS response code in the result and in Microsoft's ResponseCode reference.",
            "Look up the EWS response code in the result and in Microsoft's ResponseCode reference.");

    private final Verdict verdict;
    private final String cause;
    private final String exchangeOnlineRemediation;
    private final String onPremisesRemediation;

    Outcome(Verdict verdict, String cause, String exchangeOnlineRemediation, String onPremisesRemediation) {
        this.verdict = verdict;
        this.cause = cause;
        this.exchangeOnlineRemediation = exchangeOnlineRemediation;
        this.onPremisesRemediation = onPremisesRemediation;
    }

    public Verdict verdict() {
        return verdict;
    }

    public String cause() {
        return cause;
    }

    public String remediation(TenantKind kind) {
        return kind == TenantKind.ON_PREMISES ? onPremisesRemediation : exchangeOnlineRemediation;
    }

    /** The label value: lower snake case, as Prometheus labels usually are. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
