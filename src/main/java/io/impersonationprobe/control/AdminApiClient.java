package io.impersonationprobe.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.impersonationprobe.Causes;
import io.impersonationprobe.Printable;
import io.impersonationprobe.auth.TokenException;
import io.impersonationprobe.auth.TokenSource;
import io.impersonationprobe.config.ResolvedTenant;
import io.impersonationprobe.ews.EwsProbe;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.core.Response;

import java.net.SocketTimeoutException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One tenant's admin API, on the Quarkus REST client, with the same app token as the EWS probe. Every failure is an
 * {@link AdminApiException} with a class and a fix, never a crash.
 */
public final class AdminApiClient {
    static final String SYSTEM_MAILBOX = "SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}";
    static final String EWS_ROLE = "Application EWS.AccessAsApp";

    private final AdminApi api;
    private final String directory;
    private final String appId;
    private final TokenSource tokens;
    private final ObjectMapper json;

    public AdminApiClient(ResolvedTenant tenant, TokenSource tokens, ObjectMapper json) {
        var controlPlane = tenant.config().controlPlane();
        QuarkusRestClientBuilder builder = QuarkusRestClientBuilder.newBuilder();
        // Like EWS and token requests, the admin API goes through the JVM's proxy when one is set.
        String proxyHost = System.getProperty("https.proxyHost");
        if (proxyHost != null && !proxyHost.isBlank()) {
            builder.proxyAddress(proxyHost, Integer.getInteger("https.proxyPort", 443));
        }
        this.api = builder
                .baseUri(controlPlane.adminApiUrl())
                .connectTimeout(controlPlane.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(controlPlane.timeout().toMillis(), TimeUnit.MILLISECONDS)
                // Statuses are classified here, not turned into exceptions by the client.
                .disableDefaultMapper(true)
                .build(AdminApi.class);
        this.directory = tenant.config().auth().directory().orElseThrow();
        // Test-ServicePrincipalAuthorization asks about the probing app, whichever app reads the admin API.
        this.appId = tenant.config().auth().clientId().orElseThrow();
        this.tokens = tokens;
        this.json = json;
    }

    public OrganizationState organizationConfig() throws AdminApiException {
        JsonNode config = invoke("Get-OrganizationConfig").stream().findFirst()
                .orElseThrow(() -> new AdminApiException("invalid_response", "Get-OrganizationConfig returned no object"));
        if (!config.path("IsDehydrated").isBoolean() || !config.path("EwsEnabled").isBoolean()) {
            throw new AdminApiException("invalid_response", "Get-OrganizationConfig lacks IsDehydrated or EwsEnabled");
        }
        List<String> allowed = null;
        if (config.path("EwsAllowedAppIDs").isArray()) {
            allowed = new ArrayList<>();
            for (JsonNode id : config.get("EwsAllowedAppIDs")) {
                allowed.add(id.asText());
            }
        }
        boolean ewsEnabled = config.get("EwsEnabled").asBoolean();
        String policy = config.path("EwsApplicationAccessPolicy").asText(null);
        boolean userAgentAllowed = EwsAccessPolicy.allows(policy, strings(config.path("EwsAllowList")),
                strings(config.path("EwsBlockList")), EwsProbe.userAgent());
        boolean appAllowed = ewsEnabled && userAgentAllowed
                && (allowed == null || allowed.stream().anyMatch(appId::equalsIgnoreCase));
        return new OrganizationState(config.get("IsDehydrated").asBoolean(), ewsEnabled, allowed == null ? null
                : List.copyOf(allowed), policy, userAgentAllowed, appAllowed, Instant.now());
    }

    private static List<String> strings(JsonNode array) {
        if (!array.isArray()) {
            return null;
        }
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }

    /**
     * Every role assignment (Get-ManagementRoleAssignment), all pages. Asking per role would fail for a role Exchange
     * Online has removed (ApplicationImpersonation), so the filtering is done here.
     */
    public List<RoleAssignmentInfo> roleAssignments() throws AdminApiException {
        List<RoleAssignmentInfo> assignments = new ArrayList<>();
        for (JsonNode row : invoke("Get-ManagementRoleAssignment")) {
            String scope = row.path("CustomResourceScope").asText(null);
            if (scope == null || scope.isEmpty()) {
                scope = row.path("CustomRecipientWriteScope").asText(null);
            }
            assignments.add(new RoleAssignmentInfo(row.path("Name").asText(), row.path("Role").asText(),
                    row.path("RoleAssignee").asText(), row.path("RoleAssigneeType").asText(""),
                    scope == null || scope.isEmpty() ? null : scope, row.path("Enabled").asBoolean(true),
                    instant(row.path("WhenCreated").asText(null)), instant(row.path("WhenChanged").asText(null))));
        }
        return assignments;
    }

    /** Management scopes by name, with their recipient filters (Get-ManagementScope). */
    public Map<String, String> managementScopes() throws AdminApiException {
        Map<String, String> scopes = new java.util.TreeMap<>();
        for (JsonNode row : invoke("Get-ManagementScope", Map.of())) {
            scopes.put(row.path("Name").asText(), row.path("RecipientFilter").asText(""));
        }
        return scopes;
    }

    /**
     * Which of the app's configured grants cover a mailbox now (Test-ServicePrincipalAuthorization), bypassing
     * Exchange's permission cache: the configured truth, against which the probes' observed truth is compared.
     */
    public AuthorizationCheck testAuthorization(String mailbox) throws AdminApiException {
        List<String> covering = new ArrayList<>();
        List<String> notCovering = new ArrayList<>();
        for (JsonNode row : invoke("Test-ServicePrincipalAuthorization", Map.of("Identity", appId, "Resource", mailbox))) {
            if (!EWS_ROLE.equalsIgnoreCase(row.path("RoleName").asText(""))) {
                continue; // Graph mail roles do not open EWS.
            }
            String scope = row.path("AllowedResourceScope").asText("");
            (row.path("InScope").asBoolean(false) ? covering : notCovering).add(scope);
        }
        return new AuthorizationCheck(List.copyOf(covering), List.copyOf(notCovering), Instant.now());
    }

    private static Instant instant(String text) {
        try {
            return text == null ? null : java.time.OffsetDateTime.parse(text).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            try {
                return Instant.parse(text);
            } catch (java.time.format.DateTimeParseException unreadable) {
                return null;
            }
        }
    }

    /** Runs a cmdlet and returns the objects of its {@code value} array, following {@code @odata.nextLink} pages. */
    List<JsonNode> invoke(String cmdlet) throws AdminApiException {
        return invoke(cmdlet, Map.of());
    }

    List<JsonNode> invoke(String cmdlet, Map<String, Object> parameters) throws AdminApiException {
        String token;
        try {
            token = tokens.token().value();
        } catch (TokenException e) {
            throw new AdminApiException("token_failed", e.getMessage());
        }
        String body;
        try {
            body = json.writeValueAsString(Map.of("CmdletInput", Map.of("CmdletName", cmdlet, "Parameters", parameters)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AdminApiException("invalid_response", "cannot write the request for " + cmdlet);
        }
        String anchor = "APP:" + SYSTEM_MAILBOX + "@" + directory;
        List<JsonNode> values = new ArrayList<>();
        String next = null;
        for (int page = 0; page < MAX_PAGES; page++) {
            String link = next;
            JsonNode answer = call(cmdlet, () -> link == null ? api.invoke(directory, "Bearer " + token, anchor, body)
                    : api.next(link, "Bearer " + token, anchor, body));
            answer.get("value").forEach(values::add);
            next = answer.path("@odata.nextLink").asText(null);
            if (next == null || next.isEmpty()) {
                return values;
            }
        }
        throw new AdminApiException("invalid_response", cmdlet + " returned more than " + MAX_PAGES + " pages");
    }

    /** A runaway nextLink chain must end. */
    static final int MAX_PAGES = 1000;

    private JsonNode call(String cmdlet, java.util.function.Supplier<Response> send) throws AdminApiException {
        try (Response response = send.get()) {
            String text = response.hasEntity() ? response.readEntity(String.class) : "";
            if (response.getStatus() != 200) {
                throw failure(cmdlet, response.getStatus(), response.getHeaderString("Retry-After"), text);
            }
            JsonNode answer = json.readTree(text);
            if (answer == null || !answer.path("value").isArray()) {
                throw new AdminApiException("invalid_response", cmdlet + " answered without a value array");
            }
            return answer;
        } catch (AdminApiException e) {
            throw e;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AdminApiException("invalid_response", cmdlet + " answered with malformed JSON");
        } catch (ProcessingException e) {
            boolean timeout = Causes.find(e, SocketTimeoutException.class) != null || Causes.find(e, TimeoutException.class) != null
                    || String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("timeout");
            throw new AdminApiException(timeout ? "timeout" : "unreachable", "the admin API was not reached: "
                    + Printable.of(Causes.describe(Causes.root(e)), 200));
        } catch (RuntimeException e) {
            throw new AdminApiException("invalid_response", cmdlet + " failed: " + e.getClass().getSimpleName());
        }
    }

    private AdminApiException failure(String cmdlet, int status, String retryAfter, String text) {
        String detail = errorMessage(text);
        return switch (status) {
            case 401, 403 -> new AdminApiException("permission_missing", cmdlet + " was refused (HTTP " + status
                    + "): give the app the Exchange.ManageAsApp application permission (admin consent) and assign its "
                    + "service principal a role that can read the organisation, such as View-Only Organization "
                    + "Management. " + detail);
            case 404 -> new AdminApiException("not_found", cmdlet + " answered 404: check auth.directory and "
                    + "control-plane.admin-api-url. " + detail);
            case 400 -> detail.contains("ManagementObjectNotFoundException")
                    ? new AdminApiException("object_not_found", cmdlet + ": " + detail)
                    // Exchange hides a cmdlet the caller's roles do not include: "is not recognized".
                    : detail.contains("CmdletNotFoundException") || detail.contains("is not recognized")
                    ? new AdminApiException("permission_missing", cmdlet + " is not available to the app: assign its "
                            + "service principal a role that includes it. " + detail)
                    : new AdminApiException("invalid_response", cmdlet + " answered HTTP 400. " + detail);
            case 429 -> new AdminApiException("throttled", cmdlet + " was throttled (HTTP 429"
                    + (retryAfter == null ? "" : ", Retry-After " + retryAfter) + "). " + detail);
            default -> new AdminApiException(status >= 500 ? "server_error" : "invalid_response",
                    cmdlet + " answered HTTP " + status + ". " + detail);
        };
    }

    /** The admin API's errors carry their text in {@code error.details[].message}. */
    private String errorMessage(String text) {
        try {
            JsonNode error = json.readTree(text).path("error");
            String message = error.path("details").path(0).path("message").asText(error.path("message").asText(""));
            return Printable.of(message, 300);
        } catch (Exception e) {
            return "";
        }
    }
}
