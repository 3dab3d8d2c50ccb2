package io.impersonationprobe.probe;

import io.impersonationprobe.config.TenantKind;
import io.impersonationprobe.target.Expectation;
import io.impersonationprobe.target.ProbeKind;

import java.util.Locale;
import java.util.Map;

/**
 * The bounded catalogue of what a probe can meet; the {@code outcome} label of the metrics. Each outcome carries the
 * verdict it implies, whether it is transient, its cause and what an admin should do, told for Exchange Online and
 * for on-premises Exchange. Only {@link #OK} and {@link #SCOPE_LEAK} mean access and only
 * {@link #IMPERSONATION_DENIED} and {@link #ACCESS_DENIED} mean a refusal: every other outcome is an
 * {@link Verdict#ERROR}, so a broken probe can never pass for a correctly denied one.
 */
public enum Outcome {
    OK(Verdict.ALLOWED, false,
            "The daemon acted as the mailbox and read the ID of one well-known folder.",
            "None.",
            "None."),
    SCOPE_LEAK(Verdict.ALLOWED, false,
            "The daemon acted as a mailbox that its group says must stay out of reach: the application's access is "
                    + "wider than intended.",
            "Find what grants it: an Entra-consented full_access_as_app (it overrides every Exchange scope; remove "
                    + "the admin consent), an assignment without a scope, or a management scope whose recipient filter "
                    + "covers this mailbox (Get-ManagementRoleAssignment -RoleAssignee <sp>; Get-ManagementScope). "
                    + "Test-ServicePrincipalAuthorization -Identity <sp> -Resource <mailbox> names the granting role. "
                    + "A removed grant keeps working for 30 min to 2 h.",
            "Find what grants it: an ApplicationImpersonation assignment without CustomRecipientWriteScope, or a "
                    + "scope whose recipient filter covers this mailbox (Get-ManagementRoleAssignment -Role "
                    + "ApplicationImpersonation; Get-ManagementScope), and narrow it."),
    IMPERSONATION_DENIED(Verdict.DENIED, false,
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
    ACCESS_DENIED(Verdict.DENIED, false,
            "Exchange refused access to the mailbox (ErrorAccessDenied).",
            "If the mailbox should be reachable: check that the app's RBAC for Applications scope (management scope "
                    + "or administrative unit) covers it and that no application access policy excludes it; "
                    + "Test-ServicePrincipalAuthorization -Identity <sp> -Resource <mailbox> shows what Exchange decides. "
                    + "If it must not be reachable, this is the expected answer.",
            "If the mailbox should be reachable: check the service account's ApplicationImpersonation assignment and "
                    + "its CustomRecipientWriteScope. If it must not be reachable, this is the expected answer."),
    MAILBOX_NOT_FOUND(Verdict.ERROR, false,
            "Exchange has no mailbox with this SMTP address (ErrorNonExistentMailbox).",
            "Check the address for typos and that the mailbox exists and is licensed (Get-EXOMailbox <address>); "
                    + "remove departed users from the target list.",
            "Check the address for typos and that the mailbox exists (Get-Mailbox <address>); remove departed users "
                    + "from the target list."),
    MAILBOX_NOT_ENABLED_FOR_REST(Verdict.ERROR, false,
            "Microsoft Graph cannot serve this mailbox (MailboxNotEnabledForRESTAPI): it is inactive, soft-deleted, "
                    + "hosted on-premises in a hybrid organisation, or has no Exchange Online license.",
            "Check Get-EXOMailbox <mailbox> | fl RecipientTypeDetails, IsInactiveMailbox, IsSoftDeletedByRemove and "
                    + "the user's Exchange Online license. A mailbox still on-premises is not reachable over Graph: move "
                    + "it to Exchange Online first, or keep it out of graph probes.",
            "Microsoft Graph does not reach on-premises mailboxes; probe them over EWS."),
    IMPERSONATION_HEADER_INVALID(Verdict.ERROR, false,
            "Exchange rejected the ExchangeImpersonation header (ErrorInvalidExchangeImpersonationHeaderData): missing, "
                    + "malformed, or naming no mailbox it can resolve.",
            "App-only tokens require the ExchangeImpersonation header on every request; check that the target is a "
                    + "primary SMTP address of a mailbox in this tenant and that no proxy strips SOAP headers.",
            "Check that the target is a primary SMTP address of a mailbox in this organisation."),
    AUTH_FAILED(Verdict.ERROR, false,
            "The EWS endpoint rejected the daemon's credentials (HTTP 401, or 403 with an x-ms-diagnostics code other "
                    + "than 2000008).",
            "Check the token: its audience must be https://outlook.office365.com (auth.scope "
                    + "https://outlook.office365.com/.default) and it must come from the tenant that holds the mailboxes. "
                    + "The x-ms-diagnostics detail names the reason.",
            "Check the service account's user name, domain and password, that the account is not locked out or "
                    + "expired, and that the EWS virtual directory allows the configured method "
                    + "(Get-WebServicesVirtualDirectory | fl *Authentication*)."),
    PERMISSION_MISSING(Verdict.ERROR, false,
            "The token is valid but carries no permission for EWS (HTTP 403, x-ms-diagnostics 2000008: not enough scope).",
            "Grant the app EWS access: either the application permission full_access_as_app with admin consent "
                    + "(unscoped: every mailbox) or, for scoped access, New-ServicePrincipal and an RBAC for Applications "
                    + "assignment of 'Application EWS.AccessAsApp'.",
            "Grant the account access to EWS on the server."),
    EWS_DISABLED(Verdict.ERROR, false,
            "Exchange refused EWS itself: HTTP 403 with X-EWS-Policy-Reason \"EWS is disabled for this user or "
                    + "tenant\" (the organisation's EwsEnabled is False, or the mailbox's own).",
            "Check Get-OrganizationConfig | fl EwsEnabled and Get-CASMailbox <mailbox> | fl EwsEnabled: a mailbox set "
                    + "to False is refused whatever the organisation says, and an organisation set to False refuses "
                    + "every mailbox. Set-OrganizationConfig -EwsEnabled $true takes about an hour. EWS in Exchange "
                    + "Online ends on 2027-04-01: plan the move to Microsoft Graph.",
            "Check Get-OrganizationConfig | fl EwsEnabled and Get-CASMailbox <mailbox> | fl EwsEnabled."),
    EWS_BLOCKED(Verdict.ERROR, false,
            "Exchange refused EWS itself: HTTP 403 with X-EWS-Policy-Reason \"EWS is blocked by policy for this user "
                    + "or tenant\" (EwsAllowedAppIDs does not admit the app, or EwsApplicationAccessPolicy refuses its "
                    + "user agent; Exchange does not say which).",
            "Check Get-OrganizationConfig -RetrieveEwsOperationAccessPolicy | fl EwsEnabled, EwsAllowedAppIDs, "
                    + "EwsApplicationAccessPolicy, EwsAllowList, EwsBlockList: with EwsEnabled True only the listed app "
                    + "IDs may use EWS (an empty list blocks all; a change takes up to 24 h), and the user-agent policy "
                    + "must admit the probe too. EWS in Exchange Online ends on 2027-04-01: plan the move to Microsoft "
                    + "Graph.",
            "Check Get-OrganizationConfig | fl EwsApplicationAccessPolicy, EwsAllowList, EwsBlockList and "
                    + "Get-CASMailbox <mailbox> | fl EwsAllowedClients, EwsBlockedClients."),
    FORBIDDEN(Verdict.ERROR, false,
            "Exchange answered HTTP 403 without X-EWS-Policy-Reason or x-ms-diagnostics: a refusal, but not one that "
                    + "proves an EWS policy block (Microsoft: read the header, not the body).",
            "Other causes of a bare 403: a licence without EWS (Kiosk, F1 and F3 mailboxes are refused since "
                    + "2026-10-01), the mailbox's own EwsEnabled False (Get-CASMailbox <mailbox> | fl EwsEnabled), a "
                    + "Conditional Access policy for workload identities, or a proxy answering in Exchange's place.",
            "Check Get-CASMailbox <mailbox> | fl EwsEnabled, EwsAllowedClients, EwsBlockedClients, and the EWS "
                    + "virtual directory's authentication and IP restrictions."),
    LICENSE_INVALID(Verdict.ERROR, false,
            "Exchange refused the request because the mailbox or organisation lacks a valid license (ErrorInvalidLicense).",
            "Check that the mailbox has an Exchange Online license assigned and that the subscription is active.",
            "Check the Exchange Server license (Get-ExchangeServer | fl Edition, IsExchangeTrialEdition)."),
    ORGANIZATION_BLOCKED(Verdict.ERROR, false,
            "Exchange blocked the whole organisation (ErrorOrganizationAccessBlocked).",
            "The tenant is blocked or suspended (billing, policy or a Microsoft action): check the Microsoft 365 admin "
                    + "center's billing and service health, or open a support case.",
            "Check the organisation's state on the server."),
    TOKEN_FAILED(Verdict.ERROR, false,
            "No access token could be obtained from Entra ID.",
            "If the token service was not reached, check DNS, proxy and firewall rules for login.microsoftonline.com. "
                    + "If it answered with an AADSTS error, check the directory (tenant) ID, the application (client) ID "
                    + "and the credential (Entra admin center > App registrations > Certificates & secrets).",
            "If the token service was not reached, check the network path to it; if it answered with an error, check "
                    + "the tenant's directory ID, client ID and credential."),
    THROTTLED(Verdict.ERROR, true,
            "Exchange is throttling the daemon (ErrorServerBusy, ErrorExceededConnectionCount, HTTP 429, or 503 with "
                    + "Retry-After). Transient: the last definite verdict stands, and the tenant pauses as asked.",
            "If it persists, lower the tenant's concurrency or lengthen the group intervals; EWS allows 27 concurrent "
                    + "requests per account, and other applications using the same account share that budget.",
            "If it persists, lower the tenant's concurrency or lengthen the group intervals, or give the service "
                    + "account a throttling policy with a higher EWSMaxConcurrency."),
    MAILBOX_MOVING(Verdict.ERROR, true,
            "The mailbox is being moved between databases or servers (ErrorMailboxMoveInProgress). Transient: the last "
                    + "definite verdict stands.",
            "Nothing to do while the move runs; if it persists for hours, check the move request (Get-MoveRequest <mailbox>).",
            "Nothing to do while the move runs; if it persists for hours, check Get-MoveRequest <mailbox>."),
    MAILBOX_STORE_UNAVAILABLE(Verdict.ERROR, true,
            "The mailbox database is not available right now (ErrorMailboxStoreUnavailable). Transient: the last "
                    + "definite verdict stands.",
            "Usually a failover in Exchange Online; if it persists, check the Microsoft 365 service health.",
            "Check the mailbox database's copy status (Get-MailboxDatabaseCopyStatus) and mount state."),
    UNAVAILABLE(Verdict.ERROR, false,
            "The EWS endpoint could not be reached or answered with a server error (connection refused or reset, "
                    + "HTTP 5xx, ErrorConnectionFailed, ErrorInternalServerError, ErrorImpersonationFailed, "
                    + "ErrorNoRespondingCASInDestinationSite).",
            "Check firewall and proxy rules for outlook.office365.com and the Microsoft 365 service health. Requests "
                    + "without X-AnchorMailbox fail this way; the daemon always sends it.",
            "Check that the Exchange server, its IIS EWS virtual directory and the Active Directory it depends on are up."),
    DNS_FAILURE(Verdict.ERROR, false,
            "The EWS host name could not be resolved.",
            "Check the daemon's DNS resolver and that ews-url is https://outlook.office365.com/EWS/Exchange.asmx.",
            "Check the ews-url host name and the daemon's DNS resolver (split DNS often hides internal names)."),
    TLS_FAILURE(Verdict.ERROR, false,
            "The TLS handshake failed: the server's certificate is not trusted, has expired, or does not match the "
                    + "host name.",
            "Check for a TLS-inspecting proxy between the daemon and Exchange Online; trust its CA only if your "
                    + "policy allows it (tls.trust-store).",
            "Install a certificate issued for the EWS host name by a trusted CA on the Exchange server, or trust the "
                    + "internal CA with the tenant's tls.trust-store."),
    TIMEOUT(Verdict.ERROR, false,
            "The probe did not complete before its deadline.",
            "Check the network path to outlook.office365.com and proxy settings; raise impersonation.probe.timeout "
                    + "if the tenant is merely slow.",
            "Check that the Exchange server answers and how loaded it is; raise impersonation.probe.timeout if it "
                    + "is merely slow."),
    ENDPOINT_NOT_FOUND(Verdict.ERROR, false,
            "The EWS URL answered 404: there is no EWS endpoint at that address.",
            "Use https://outlook.office365.com/EWS/Exchange.asmx for Exchange Online.",
            "Check the tenant's ews-url; it normally ends in /EWS/Exchange.asmx."),
    INVALID_RESPONSE(Verdict.ERROR, false,
            "The server's answer was not an EWS SOAP answer to the probe (wrong content, too large, not XML, or a "
                    + "response to another operation).",
            "Check for a proxy or captive portal answering in place of Exchange Online.",
            "Check that the ews-url points at Exchange and not at a load balancer or login page."),
    UNKNOWN_ERROR(Verdict.ERROR, false,
            "Exchange answered with an error this daemon does not classify; the EWS response code and message are kept.",
            "Look up the EWS response code in the result and in Microsoft's ResponseCode reference.",
            "Look up the EWS response code in the result and in Microsoft's ResponseCode reference.");

    private final Verdict verdict;
    private final boolean transientOutcome;
    private final String cause;
    private final String exchangeOnlineRemediation;
    private final String onPremisesRemediation;

    Outcome(Verdict verdict, boolean transientOutcome, String cause, String exchangeOnlineRemediation,
            String onPremisesRemediation) {
        this.verdict = verdict;
        this.transientOutcome = transientOutcome;
        this.cause = cause;
        this.exchangeOnlineRemediation = exchangeOnlineRemediation;
        this.onPremisesRemediation = onPremisesRemediation;
    }

    public Verdict verdict() {
        return verdict;
    }

    /** Refused by an EWS gate of Exchange Online, as X-EWS-Policy-Reason said. */
    public boolean isEwsGateRefusal() {
        return this == EWS_DISABLED || this == EWS_BLOCKED;
    }

    /** A passing condition (throttling, a move, a failover): it says nothing new about access. */
    public boolean isTransient() {
        return transientOutcome;
    }

    public String cause() {
        return cause;
    }

    /** The cause as one probe kind meets it: Graph's wording where it differs from EWS's. */
    public String cause(ProbeKind probe) {
        String[] graph = probe == ProbeKind.GRAPH ? GraphTexts.BY_OUTCOME.get(this) : null;
        return graph == null ? cause : graph[0];
    }

    public String remediation(TenantKind kind) {
        return kind == TenantKind.ON_PREMISES ? onPremisesRemediation : exchangeOnlineRemediation;
    }

    /** The fix as one probe kind needs it: Graph's roles and endpoints where they differ from EWS's. */
    public String remediation(TenantKind kind, ProbeKind probe) {
        String[] graph = probe == ProbeKind.GRAPH ? GraphTexts.BY_OUTCOME.get(this) : null;
        return graph == null ? remediation(kind) : graph[1];
    }

    /**
     * Cause and Exchange Online fix of the outcomes whose EWS wording would mislead for Microsoft Graph; the verdict
     * and the transient flag stay the catalogue's. Graph reaches Exchange Online only, so there is no on-premises text.
     */
    private static final class GraphTexts {
        static final String ROLE_HINT = "New-ManagementRoleAssignment -App <sp> -Role \"Application Mail.ReadBasic\" "
                + "-CustomResourceScope <scope>";
        static final Map<Outcome, String[]> BY_OUTCOME = Map.ofEntries(
                Map.entry(SCOPE_LEAK, new String[]{
                        "The daemon read a folder over Microsoft Graph of a mailbox that its group says must stay out of "
                                + "reach: the application's Graph access is wider than intended.",
                        "Find what grants it: an Entra-consented Graph mail permission such as Mail.Read or "
                                + "Mail.ReadBasic.All (it overrides every Exchange scope; remove the admin consent), a "
                                + "Graph mail role assignment without a scope, or a management scope whose recipient "
                                + "filter covers this mailbox (Get-ManagementRoleAssignment -RoleAssignee <sp>; "
                                + "Get-ManagementScope). Test-ServicePrincipalAuthorization -Identity <sp> -Resource "
                                + "<mailbox> names the granting role. A removed grant keeps working for 30 min to 2 h."}),
                Map.entry(ACCESS_DENIED, new String[]{
                        "Microsoft Graph refused access to the mailbox (403 ErrorAccessDenied): the app has no Graph mail "
                                + "permission, its RBAC for Applications scope does not cover the mailbox, or an "
                                + "application access policy blocks it.",
                        "If the mailbox should be reachable over Graph: give the app's service principal a Graph mail "
                                + "role with a scope that covers it (" + ROLE_HINT + "), check that no application "
                                + "access policy excludes it (Get-ApplicationAccessPolicy), and allow 30 min to 2 h; "
                                + "Test-ServicePrincipalAuthorization -Identity <sp> -Resource <mailbox> shows the "
                                + "configured truth at once. If it must not be reachable, this is the expected answer."}),
                Map.entry(PERMISSION_MISSING, new String[]{
                        "The token is valid but carries no Graph permission for the request (403 "
                                + "Authorization_RequestDenied).",
                        "Grant the app Graph mail access: scoped, an RBAC for Applications assignment (" + ROLE_HINT
                                + "); unscoped, the Graph application permission Mail.ReadBasic.All with admin consent "
                                + "(every mailbox)."}),
                Map.entry(AUTH_FAILED, new String[]{
                        "Microsoft Graph rejected the daemon's token (HTTP 401, InvalidAuthenticationToken).",
                        "Check the token: its audience must be https://graph.microsoft.com (graph.scope "
                                + "https://graph.microsoft.com/.default) and it must come from the tenant that holds the "
                                + "mailboxes. The error message names the reason."}),
                Map.entry(MAILBOX_NOT_FOUND, new String[]{
                        "Microsoft Graph has no user or mailbox with this address (404 ErrorInvalidUser, "
                                + "ErrorItemNotFound or ResourceNotFound).",
                        "Check the address for typos and that the user exists, has a mailbox and is licensed "
                                + "(Get-EXOMailbox <address>); remove departed users from the target list."}),
                Map.entry(THROTTLED, new String[]{
                        "Microsoft Graph is throttling the daemon (HTTP 429, or 503 with Retry-After). Transient: the "
                                + "last definite verdict stands, and the tenant's Graph probes pause as asked.",
                        "If it persists, lower the tenant's concurrency or lengthen the group intervals; Outlook's "
                                + "Graph limits apply per app and mailbox and are shared with the app's other work."}),
                Map.entry(UNAVAILABLE, new String[]{
                        "Microsoft Graph could not be reached or answered with a server error (connection refused or "
                                + "reset, HTTP 5xx).",
                        "Check firewall and proxy rules for graph.microsoft.com and the Microsoft 365 service health."}),
                Map.entry(DNS_FAILURE, new String[]{
                        "The Microsoft Graph host name could not be resolved.",
                        "Check the daemon's DNS resolver and that graph.url is https://graph.microsoft.com."}),
                Map.entry(TLS_FAILURE, new String[]{
                        "The TLS handshake with Microsoft Graph failed: the certificate is not trusted, has expired, or "
                                + "does not match the host name.",
                        "Check for a TLS-inspecting proxy between the daemon and graph.microsoft.com."}),
                Map.entry(TIMEOUT, new String[]{
                        "The Graph probe did not complete before its deadline.",
                        "Check the network path to graph.microsoft.com and proxy settings; raise "
                                + "impersonation.probe.timeout if Graph is merely slow."}),
                Map.entry(ENDPOINT_NOT_FOUND, new String[]{
                        "The Graph URL answered 404 without a Graph error: there is no Microsoft Graph at that address.",
                        "Use https://graph.microsoft.com as the tenant's graph.url."}),
                Map.entry(INVALID_RESPONSE, new String[]{
                        "The answer was not a Microsoft Graph answer to the probe (not JSON, or JSON without the "
                                + "folder's id).",
                        "Check for a proxy or captive portal answering in place of Microsoft Graph."}),
                Map.entry(UNKNOWN_ERROR, new String[]{
                        "Microsoft Graph answered with an error this daemon does not classify; its code and message "
                                + "are kept.",
                        "Look up the error code in Microsoft Graph's error reference; request-id and date identify the "
                                + "request for Microsoft support."}));
    }

    /** Access to a mailbox the group must not reach is a scope leak, whatever the probe kind. */
    public Outcome forExpectation(Expectation expect) {
        return this == OK && expect == Expectation.DENY ? SCOPE_LEAK : this;
    }

    /** The label value: lower snake case, as Prometheus labels usually are. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
