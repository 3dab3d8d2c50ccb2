package io.impersonationprobe.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.impersonationprobe.Causes;
import io.impersonationprobe.Printable;
import io.impersonationprobe.auth.TokenException;
import io.impersonationprobe.auth.TokenSource;
import io.impersonationprobe.config.ResolvedTenant;
import io.impersonationprobe.control.ControlPlaneException.Failure;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.core.Response;

import java.net.SocketTimeoutException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One tenant's admin API, on the Quarkus REST client, with the same app token as the EWS probe. Every failure is an
 * {@link ControlPlaneException} with a class and a fix, never a crash.
 */
public final class AdminApiClient {
    static final String SYSTEM_MAILBOX = "SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}";
    static final String EWS_ROLE = "Application EWS.AccessAsApp";

    private final AdminApi api;
    private final String directory;
    private final String appId;
    private final TokenSource tokens;
    private final ObjectMapper json;
    private final Clock clock;
    private final Queue<String> unreadable = new ConcurrentLinkedQueue<>();

    public AdminApiClient(ResolvedTenant tenant, TokenSource tokens, ObjectMapper json, Clock clock) {
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
        this.clock = clock;
    }

    /**
     * The organisation's EWS settings. A plain Get-OrganizationConfig leaves EwsAllowedAppIDs out "for performance
     * reasons"; the switch RetrieveEwsOperationAccessPolicy adds it.
     */
    public OrganizationState organizationConfig() throws ControlPlaneException {
        JsonNode config = invoke("Get-OrganizationConfig", Map.of("RetrieveEwsOperationAccessPolicy", true)).stream()
                .findFirst()
                .orElseThrow(() -> new ControlPlaneException(Failure.INVALID_RESPONSE, "Get-OrganizationConfig returned no object"));
        AdminApiAnswers answers = new AdminApiAnswers();
        return collect(answers, answers.organization(config, appId, clock.instant()));
    }

    /**
     * Every role assignment (Get-ManagementRoleAssignment), all pages. Asking per role would fail for a role Exchange
     * Online has removed (ApplicationImpersonation), so the filtering is done here.
     */
    public List<RoleAssignmentInfo> roleAssignments() throws ControlPlaneException {
        AdminApiAnswers answers = new AdminApiAnswers();
        return collect(answers, answers.roleAssignments(invoke("Get-ManagementRoleAssignment")));
    }

    /** The service principals Exchange knows (Get-ServicePrincipal): AppId, ObjectId and display name of each. */
    public List<ServicePrincipalInfo> servicePrincipals() throws ControlPlaneException {
        AdminApiAnswers answers = new AdminApiAnswers();
        return collect(answers, answers.servicePrincipals(invoke("Get-ServicePrincipal")));
    }

    /** Management scopes by name, with their recipient filters (Get-ManagementScope). */
    public Map<String, String> managementScopes() throws ControlPlaneException {
        AdminApiAnswers answers = new AdminApiAnswers();
        return collect(answers, answers.managementScopes(invoke("Get-ManagementScope")));
    }

    /**
     * Which of the app's configured grants cover a mailbox now (Test-ServicePrincipalAuthorization), bypassing
     * Exchange's permission cache: the configured truth, against which the probes' observed truth is compared.
     */
    public ConfiguredAccess testAuthorization(String mailbox) throws ControlPlaneException {
        AdminApiAnswers answers = new AdminApiAnswers();
        return collect(answers, answers.authorization(invoke("Test-ServicePrincipalAuthorization",
                Map.of("Identity", appId, "Resource", mailbox)), EWS_ROLE, clock.instant()));
    }

    /** The mailbox's own EwsEnabled (Get-CASMailbox), which blocks it whatever the organisation says. */
    public EwsEnabled casMailboxEwsEnabled(String mailbox) throws ControlPlaneException {
        JsonNode row = invoke("Get-CASMailbox", Map.of("Identity", mailbox)).stream().findFirst()
                .orElseThrow(() -> new ControlPlaneException(Failure.OBJECT_NOT_FOUND, "Get-CASMailbox returned no object"));
        AdminApiAnswers answers = new AdminApiAnswers();
        return collect(answers, answers.casMailboxEwsEnabled(row));
    }

    private <T> T collect(AdminApiAnswers answers, T value) {
        unreadable.addAll(answers.unreadable());
        return value;
    }

    /** The properties read as unknown since the last call, as {@code Cmdlet.Property}, each once. */
    public List<String> takeUnreadable() {
        Set<String> taken = new LinkedHashSet<>();
        for (String property = unreadable.poll(); property != null; property = unreadable.poll()) {
            taken.add(property);
        }
        return List.copyOf(taken);
    }

    /** Runs a cmdlet and returns the objects of its {@code value} array, following {@code @odata.nextLink} pages. */
    List<JsonNode> invoke(String cmdlet) throws ControlPlaneException {
        return invoke(cmdlet, Map.of());
    }

    List<JsonNode> invoke(String cmdlet, Map<String, Object> parameters) throws ControlPlaneException {
        String token;
        try {
            token = tokens.token().value();
        } catch (TokenException e) {
            throw new ControlPlaneException(Failure.TOKEN_FAILED, e.getMessage());
        }
        String body;
        try {
            body = json.writeValueAsString(Map.of("CmdletInput", Map.of("CmdletName", cmdlet, "Parameters", parameters)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ControlPlaneException(Failure.INVALID_RESPONSE, "cannot write the request for " + cmdlet);
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
        throw new ControlPlaneException(Failure.INVALID_RESPONSE, cmdlet + " returned more than " + MAX_PAGES + " pages");
    }

    /** A runaway nextLink chain must end. */
    static final int MAX_PAGES = 1000;

    private JsonNode call(String cmdlet, Supplier<Response> send) throws ControlPlaneException {
        try (Response response = send.get()) {
            String text = response.hasEntity() ? response.readEntity(String.class) : "";
            if (response.getStatus() != 200) {
                throw failure(cmdlet, response.getStatus(), response.getHeaderString("Retry-After"), text);
            }
            JsonNode answer = json.readTree(text);
            if (answer == null || !answer.path("value").isArray()) {
                throw new ControlPlaneException(Failure.INVALID_RESPONSE, cmdlet + " answered without a value array");
            }
            return answer;
        } catch (ControlPlaneException e) {
            throw e;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ControlPlaneException(Failure.INVALID_RESPONSE, cmdlet + " answered with malformed JSON");
        } catch (ProcessingException e) {
            boolean timeout = Causes.find(e, SocketTimeoutException.class) != null || Causes.find(e, TimeoutException.class) != null
                    || String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("timeout");
            throw new ControlPlaneException(timeout ? Failure.TIMEOUT : Failure.UNREACHABLE, "the admin API was not reached: "
                    + Printable.of(Causes.describe(Causes.root(e)), 200));
        } catch (RuntimeException e) {
            throw new ControlPlaneException(Failure.INVALID_RESPONSE, cmdlet + " failed: " + e.getClass().getSimpleName());
        }
    }

    private ControlPlaneException failure(String cmdlet, int status, String retryAfter, String text) {
        String detail = errorMessage(text);
        return switch (status) {
            case 401, 403 -> new ControlPlaneException(Failure.PERMISSION_MISSING, cmdlet + " was refused (HTTP " + status
                    + "): give the app the Exchange.ManageAsApp application permission (admin consent) and assign its "
                    + "service principal a role that can read the organisation, such as View-Only Organization "
                    + "Management. " + detail);
            case 404 -> new ControlPlaneException(Failure.NOT_FOUND, cmdlet + " answered 404: check auth.directory and "
                    + "control-plane.admin-api-url. " + detail);
            case 400 -> detail.contains("ManagementObjectNotFoundException")
                    ? new ControlPlaneException(Failure.OBJECT_NOT_FOUND, cmdlet + ": " + detail)
                    // Exchange hides a cmdlet the caller's roles do not include: "is not recognized".
                    : detail.contains("CmdletNotFoundException") || detail.contains("is not recognized")
                    ? new ControlPlaneException(Failure.PERMISSION_MISSING, cmdlet + " is not available to the app: assign its "
                            + "service principal a role that includes it. " + detail)
                    : new ControlPlaneException(Failure.INVALID_RESPONSE, cmdlet + " answered HTTP 400. " + detail);
            case 429 -> new ControlPlaneException(Failure.THROTTLED, cmdlet + " was throttled (HTTP 429"
                    + (retryAfter == null ? "" : ", Retry-After " + retryAfter) + "). " + detail);
            default -> new ControlPlaneException(status >= 500 ? Failure.SERVER_ERROR : Failure.INVALID_RESPONSE,
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
