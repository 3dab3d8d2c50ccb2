package io.impersonationprobe.control;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.impersonationprobe.auth.AccessToken;
import io.impersonationprobe.auth.TokenSource;
import io.impersonationprobe.config.ProbeConfig;
import io.impersonationprobe.config.ResolvedTenant;
import io.impersonationprobe.testing.HostileServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admin API client against hostile answers: a redirect or a next page on another origin never takes the app's
 * token there, and oversized or broken answers fail the poll with a named failure.
 */
class AdminApiHostileAnswersTest {
    static HostileServer server;
    static HostileServer elsewhere;

    @BeforeAll
    static void start() throws IOException {
        elsewhere = new HostileServer().on("adminapi", HostileServer.plain(200, "application/json", "{\"value\":[]}"));
        String foreignPage = elsewhere.origin() + "/adminapi/beta/contoso.onmicrosoft.com/InvokeCommand?$skiptoken=1";
        server = new HostileServer()
                .on("next-elsewhere", HostileServer.plain(200, "application/json",
                        "{\"value\":[{\"Name\":\"a\"}],\"@odata.nextLink\":\"" + foreignPage + "\"}"))
                .on("redirect", HostileServer.redirect(303, foreignPage))
                .on("endless-body", HostileServer.endlessChunkedBody("application/json", "{\"value\":["))
                .on("endless-header-line", HostileServer.endlessHeaderLine())
                .on("gzip", HostileServer.gzipBomb(' '));
    }

    @AfterAll
    static void stop() throws IOException {
        server.close();
        elsewhere.close();
    }

    @SuppressWarnings("unchecked")
    static <T> T stub(Class<T> type, Map<String, Object> answers) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            if (!answers.containsKey(method.getName())) {
                throw new UnsupportedOperationException(method.getName());
            }
            return answers.get(method.getName());
        });
    }

    static AdminApiClient client(String answer) {
        ProbeConfig.ControlPlane controlPlane = stub(ProbeConfig.ControlPlane.class, Map.of(
                "adminApiUrl", URI.create(server.url(answer, "")), "timeout", Duration.ofSeconds(5)));
        ProbeConfig.Auth auth = stub(ProbeConfig.Auth.class, Map.of("directory", Optional.of("contoso.onmicrosoft.com"),
                "clientId", Optional.of("6731de76-14a6-49ae-97bc-6eba6914391e")));
        ProbeConfig.Tenant config = stub(ProbeConfig.Tenant.class, Map.of("controlPlane", controlPlane, "auth", auth));
        TokenSource tokens = new TokenSource() {
            @Override
            public AccessToken token(Instant deadline) {
                return new AccessToken("admin-token", Instant.now().plusSeconds(3600), true);
            }

            @Override
            public void rejected() {
            }
        };
        return new AdminApiClient(new ResolvedTenant("contoso", config, null, null, null, null, null), tokens,
                new ObjectMapper(), Clock.systemUTC());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "next-elsewhere      | Get-ManagementScope answered with an @odata.nextLink to http://127.0.0.1:",
            "redirect            | Get-ManagementScope: HTTP 303 redirect to http://127.0.0.1:",
            "endless-body        | Get-ManagementScope: HTTP 200, body larger than 16777216 bytes",
            "endless-header-line | Get-ManagementScope answered outside the HTTP limits",
            "gzip                | Get-ManagementScope: HTTP 200 with Content-Encoding gzip, which was not asked for"})
    void aHostileAnswerFailsThePollAndTheTokenGoesNowhereElse(String answer, String message) {
        ControlPlaneException e = assertThrows(ControlPlaneException.class, () -> client(answer).managementScopes());
        assertEquals(ControlPlaneException.Failure.INVALID_RESPONSE, e.failure(), e.getMessage());
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
        assertEquals(0, elsewhere.requests("adminapi"), "nothing was sent to the other origin");
    }
}
