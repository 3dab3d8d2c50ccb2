package io.impersonationprobe.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.impersonationprobe.Causes;
import io.impersonationprobe.Printable;
import io.impersonationprobe.auth.TokenException;
import io.impersonationprobe.auth.TokenSource;
import io.impersonationprobe.config.ResolvedTenant;
import io.impersonationprobe.control.ControlPlaneException.Failure;
import io.impersonationprobe.probe.UserAgent;
import io.impersonationprobe.http.BoundedHttp;
import io.impersonationprobe.http.HttpAnswer;
import io.impersonationprobe.http.HttpRefusedException;
import org.apache.http.client.methods.HttpPost;
import org.apache.http.entity.ContentType;
import org.apache.http.entity.StringEntity;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.List;
import java.util.Map;

/**
 * One tenant's admin API, over the bounded transport (no redirects, bounded reads, the control-plane timeout as each
 * request's deadline), with the same app token as the EWS probe. Every failure is an
 * {@link ControlPlaneException} with a class and a fix, never a crash.
 */
public final class AdminApiClient {
    static final String SYSTEM_MAILBOX = "SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}";
    static final String EWS_ROLE = "Application EWS.AccessAsApp";

    /** One page of cmdlet output; Get-ManagementRoleAssignment pages stay far below this even in large tenants. */
    static final int MAX_PAGE_BYTES = 16 << 20;

    private final BoundedHttp http;
    private final URI baseUri;
    private final Duration timeout;
    private final String directory;
    private final String appId;
    private final TokenSource tokens;
    private final ObjectMapper json;
    private final Clock clock;
    private final Queue<String> unreadable = new ConcurrentLinkedQueue<>();

    public AdminApiClient(ResolvedTenant tenant, TokenSource tokens, ObjectMapper json, Clock clock) {
        var controlPlane = tenant.config().controlPlane();
        // Exchange Online's public endpoint: the JVM's trust; the JVM's proxy when one is set.
        this.http = new BoundedHttp(2, MAX_PAGE_BYTES);
        this.baseUri = controlPlane.adminApiUrl();
        this.timeout = controlPlane.timeout();
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
            token = tokens.token(clock.instant().plus(timeout)).value();
        } catch (TokenException e) {
            throw new ControlPlaneException(Failure.TOKEN_FAILED, e.getMessage());
        }
        String body;
        try {
            body = json.writeValueAsString(Map.of("CmdletInput", Map.of("CmdletName", cmdlet, "Parameters", parameters)));
        } catch (JsonProcessingException e) {
            throw new ControlPlaneException(Failure.INVALID_RESPONSE, "cannot write the request for " + cmdlet);
        }
        String anchor = "APP:" + SYSTEM_MAILBOX + "@" + directory;
        List<JsonNode> values = new ArrayList<>();
        URI first = URI.create(baseUri.toString().replaceAll("/+$", "") + "/adminapi/beta/"
                + URLEncoder.encode(directory, StandardCharsets.UTF_8) + "/InvokeCommand");
        String next = null;
        for (int page = 0; page < MAX_PAGES; page++) {
            URI url = next == null ? first : sameOrigin(cmdlet, first, next);
            JsonNode answer = call(cmdlet, () -> {
                HttpPost post = new HttpPost(url);
                post.setHeader("Authorization", "Bearer " + token);
                post.setHeader("X-AnchorMailbox", anchor);
                post.setHeader("Accept", "application/json");
                post.setHeader("User-Agent", UserAgent.PRODUCT);
                post.setEntity(new StringEntity(body, ContentType.APPLICATION_JSON));
                return http.execute(post, timeout);
            });
            answer.get("value").forEach(values::add);
            next = answer.path("@odata.nextLink").asText(null);
            if (next == null || next.isEmpty()) {
                return values;
            }
        }
        throw new ControlPlaneException(Failure.INVALID_RESPONSE, cmdlet + " returned more than " + MAX_PAGES + " pages");
    }

    /** A next page elsewhere would take the token there: the link must stay on the admin API's origin. */
    private static URI sameOrigin(String cmdlet, URI first, String link) throws ControlPlaneException {
        URI next;
        try {
            next = first.resolve(link);
        } catch (IllegalArgumentException e) {
            throw new ControlPlaneException(Failure.INVALID_RESPONSE, cmdlet + " answered with an unreadable @odata.nextLink");
        }
        if (!first.getScheme().equalsIgnoreCase(String.valueOf(next.getScheme()))
                || !first.getHost().equalsIgnoreCase(String.valueOf(next.getHost())) || first.getPort() != next.getPort()) {
            throw new ControlPlaneException(Failure.INVALID_RESPONSE, cmdlet + " answered with an @odata.nextLink to "
                    + BoundedHttp.redirectOrigin(link, first) + ", another origin: not followed");
        }
        return next;
    }

    /** Sends one request within the transport's limits. */
    @FunctionalInterface
    private interface Exchange {
        HttpAnswer send() throws IOException;
    }

    /** A runaway nextLink chain must end. */
    static final int MAX_PAGES = 1000;

    private JsonNode call(String cmdlet, Exchange send) throws ControlPlaneException {
        try {
            HttpAnswer response = send.send();
            String text = response.text();
            if (response.status() != 200) {
                throw failure(cmdlet, response.status(), response.header("Retry-After"), text);
            }
            JsonNode answer = json.readTree(text);
            if (answer == null || !answer.path("value").isArray()) {
                throw new ControlPlaneException(Failure.INVALID_RESPONSE, cmdlet + " answered without a value array");
            }
            return answer;
        } catch (ControlPlaneException e) {
            throw e;
        } catch (JsonProcessingException e) {
            throw new ControlPlaneException(Failure.INVALID_RESPONSE, cmdlet + " answered with malformed JSON");
        } catch (HttpRefusedException e) {
            throw new ControlPlaneException(Failure.INVALID_RESPONSE, cmdlet + ": " + e.getMessage());
        } catch (IOException e) {
            if (BoundedHttp.brokeProtocol(e)) {
                throw new ControlPlaneException(Failure.INVALID_RESPONSE, cmdlet + " answered outside the HTTP limits: "
                        + Printable.of(Causes.describe(Causes.root(e)), 200));
            }
            boolean timeout = Causes.find(e, SocketTimeoutException.class) != null;
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
