package io.impersonationprobe.simulator;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.xml.sax.SAXException;

import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The on-premises tenant's EWS ({@value OnPremisesDemo#EWS_PATH}), as IIS and Exchange Server answer it: NTLM
 * (bound to the connection) or Basic against the directory's accounts, no OAuth; then the impersonation, decided by
 * {@link OnPremisesRbac} from the directory as the RBAC cache sees it ({@link OnPremisesDirectory#effective()}).
 */
final class OnPremisesEwsEndpoint {
    private final OnPremisesDirectory directory;
    private final EwsSchema schema;
    private final DocumentBuilderFactory parsers;
    private final Map<HttpConnection, byte[]> ntlmChallenges = new ConcurrentHashMap<>();
    private final Map<HttpConnection, ServiceAccount> ntlmAccounts = new ConcurrentHashMap<>();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong ntlmHandshakes = new AtomicLong();

    OnPremisesEwsEndpoint(OnPremisesDirectory directory, EwsSchema schema) {
        this.directory = directory;
        this.schema = schema;
        this.parsers = DocumentBuilderFactory.newInstance();
        parsers.setNamespaceAware(true);
        try {
            parsers.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            parsers.setExpandEntityReferences(false);
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Forgets authenticated connections (their accounts may be gone after a reset) and the counters. */
    void reset() {
        ntlmChallenges.clear();
        ntlmAccounts.clear();
        requests.set(0);
        ntlmHandshakes.set(0);
    }

    Map<String, Long> counters() {
        return Map.of("ewsRequests", requests.get(), "ntlmHandshakes", ntlmHandshakes.get());
    }

    void handle(RoutingContext ctx) {
        requests.incrementAndGet();
        HttpConnection connection = ctx.request().connection();
        String authorization = ctx.request().getHeader("Authorization");
        ServiceAccount account;
        if (authorization != null && authorization.regionMatches(true, 0, "NTLM ", 0, 5)) {
            byte[] token;
            try {
                token = Base64.getDecoder().decode(authorization.substring(5).strip());
            } catch (IllegalArgumentException e) {
                unauthorized(ctx);
                return;
            }
            int type = NtlmServer.type(token);
            if (type == 1) {
                byte[] challenge = NtlmServer.newChallenge();
                if (ntlmChallenges.put(connection, challenge) == null && !ntlmAccounts.containsKey(connection)) {
                    connection.closeHandler(closed -> {
                        ntlmChallenges.remove(connection);
                        ntlmAccounts.remove(connection);
                    });
                }
                ctx.response().setStatusCode(401).putHeader("WWW-Authenticate", "NTLM " + Base64.getEncoder()
                        .encodeToString(NtlmServer.challengeMessage(OnPremisesDemo.NETBIOS_DOMAIN, challenge))).end();
                return;
            }
            byte[] challenge = ntlmChallenges.remove(connection);
            Optional<ServiceAccount> proved = type == 3 && challenge != null
                    ? NtlmServer.verify(token, challenge, directory::account) : Optional.empty();
            if (proved.isEmpty()) {
                unauthorized(ctx);
                return;
            }
            ntlmHandshakes.incrementAndGet();
            ntlmAccounts.put(connection, proved.get());
            account = proved.get();
        } else if (authorization == null && ntlmAccounts.containsKey(connection)) {
            account = ntlmAccounts.get(connection);
        } else if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            Optional<ServiceAccount> basic = basic(authorization.substring(6).strip());
            if (basic.isEmpty()) {
                unauthorized(ctx);
                return;
            }
            account = basic.get();
        } else {
            unauthorized(ctx);
            return;
        }
        answer(ctx, account);
    }

    private void answer(RoutingContext ctx, ServiceAccount account) {
        Document request;
        try {
            request = parsers.newDocumentBuilder().parse(new ByteArrayInputStream(ctx.body().asString()
                    .getBytes(StandardCharsets.UTF_8)));
        } catch (SAXException | IOException | ParserConfigurationException e) {
            fault(ctx, "ErrorSchemaValidation", "The request failed schema validation: " + e.getMessage());
            return;
        }
        Element header = EwsEndpoint.child(request.getDocumentElement(), SoapMessages.SOAP, "Header");
        Element body = EwsEndpoint.child(request.getDocumentElement(), SoapMessages.SOAP, "Body");
        Element operation = body == null ? null : EwsEndpoint.firstElement(body);
        if (operation == null) {
            fault(ctx, "ErrorSchemaValidation", "The request failed schema validation: no SOAP body.");
            return;
        }
        String violation = schema == null ? null : schema.violation(header, operation);
        if (violation != null) {
            fault(ctx, "ErrorSchemaValidation", "The request failed schema validation: " + violation);
            return;
        }
        Element impersonation = header == null ? null : EwsEndpoint.child(header, SoapMessages.TYPES,
                "ExchangeImpersonation");
        if (impersonation == null) {
            fault(ctx, "ErrorInvalidRequest", "The simulated server answers impersonated requests only.");
            return;
        }
        String smtp = EwsEndpoint.impersonatedAddress(impersonation);
        if (smtp == null) {
            fault(ctx, "ErrorInvalidExchangeImpersonationHeaderData",
                    "The impersonation header names no SMTP address or principal name.");
            return;
        }
        OnPremisesRbac rbac = directory.effective();
        var mailbox = rbac.mailbox(smtp);
        if (mailbox.isEmpty()) {
            ctx.response().setStatusCode(500);
            send(ctx, SoapMessages.fault("ErrorNonExistentMailbox", "The SMTP address has no mailbox associated with it.",
                    SoapMessages.value("SmtpAddress", smtp)));
            return;
        }
        if (!rbac.decide(account.name(), mailbox.get()).allowed()) {
            fault(ctx, "ErrorImpersonateUserDenied", "The account does not have permission to impersonate the requested user.");
            return;
        }
        Element folderId = operation.getLocalName().equals("GetFolder")
                ? EwsEndpoint.descendant(operation, SoapMessages.TYPES, "DistinguishedFolderId") : null;
        if (folderId == null) {
            fault(ctx, "ErrorInvalidRequest", "The simulated server answers GetFolder by DistinguishedFolderId only.");
            return;
        }
        ctx.response().setStatusCode(200);
        send(ctx, SoapMessages.getFolderSuccess(smtp, folderId.getAttribute("Id")));
    }


    private Optional<ServiceAccount> basic(String encoded) {
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return Optional.empty();
        }
        String user = decoded.substring(0, colon);
        String name = user.contains("\\") ? user.substring(user.indexOf('\\') + 1)
                : user.contains("@") ? user.substring(0, user.indexOf('@')) : user;
        byte[] given = decoded.substring(colon + 1).getBytes(StandardCharsets.UTF_8);
        return directory.account(name).filter(a -> MessageDigest.isEqual(a.password().getBytes(StandardCharsets.UTF_8),
                given));
    }

    private static void unauthorized(RoutingContext ctx) {
        HttpServerResponse response = ctx.response().setStatusCode(401);
        response.headers().add("WWW-Authenticate", "NTLM");
        response.headers().add("WWW-Authenticate", "Basic realm=\"mail." + OnPremisesDemo.MAIL_DOMAIN + "\"");
        response.end();
    }

    private static void fault(RoutingContext ctx, String code, String message) {
        ctx.response().setStatusCode(500);
        send(ctx, SoapMessages.fault(code, message, null));
    }

    private static void send(RoutingContext ctx, String soap) {
        // ews-java-api cannot read a response without this exact content type.
        ctx.response().putHeader("Content-Type", "text/xml; charset=utf-8").end(Buffer.buffer(soap));
    }
}
