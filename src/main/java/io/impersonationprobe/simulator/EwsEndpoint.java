package io.impersonationprobe.simulator;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.ext.web.RoutingContext;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The simulated {@code /EWS/Exchange.asmx}: checks the bearer token, parses the SOAP request (validating it against
 * the EWS schema when one is configured), resolves the impersonated mailbox and answers from the tenant model,
 * in the order a real server does: authentication, then the request, then the impersonation, then the operation.
 */
final class EwsEndpoint {
    static final String AUDIENCE = "https://outlook.office365.com";
    static final String POLICY_REASON_HEADER = "X-EWS-Policy-Reason";
    /** {@code EwsEnabled} false for the organisation or the mailbox. */
    static final String POLICY_DISABLED = "EWS is disabled for this user or tenant";
    /** The app not on {@code EwsAllowedAppIDs}, or the user-agent policy refusing the client. */
    static final String POLICY_BLOCKED = "EWS is blocked by policy for this user or tenant";
    private static final int RECENT_REQUESTS = 20;

    private final SimulatedTenant tenant;
    private final TokenIssuer tokens;
    private final EwsSchema schema;
    private final DocumentBuilderFactory parsers;
    private final Deque<Map<String, Object>> recent = new ArrayDeque<>();
    /** NTLM authenticates a connection, not a request: the challenge sent on it, then the account it proved. */
    private final Map<HttpConnection, byte[]> ntlmChallenges = new ConcurrentHashMap<>();
    private final Map<HttpConnection, ServiceAccount> ntlmAccounts = new ConcurrentHashMap<>();
    /** Requests in flight per principal, against the concurrency budget. */
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();

    EwsEndpoint(SimulatedTenant tenant, TokenIssuer tokens, EwsSchema schema) {
        this.tenant = tenant;
        this.tokens = tokens;
        this.schema = schema;
        this.parsers = DocumentBuilderFactory.newInstance();
        parsers.setNamespaceAware(true);
        try {
            // Refuse DTDs outright, as Exchange does: no entity expansion, no external fetches.
            parsers.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            parsers.setExpandEntityReferences(false);
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Forgets the requests received and the connections NTLM authenticated: after a reset their accounts may be
     * gone. Requests in flight still release their place in the concurrency budget.
     */
    synchronized void reset() {
        recent.clear();
        ntlmChallenges.clear();
        ntlmAccounts.clear();
    }

    void handle(RoutingContext ctx) {
        tenant.stats().countEwsRequest();
        String body = ctx.body().asString();
        remember(ctx, body);
        Faults faults = tenant.faults();
        Answer answer = answer(ctx, body, faults);
        long latency = faults.ewsLatencyMs() + answer.extraLatencyMs;
        if (latency > 0) {
            ctx.vertx().setTimer(latency, id -> send(ctx, answer));
        } else {
            send(ctx, answer);
        }
    }

    private Answer answer(RoutingContext ctx, String body, Faults faults) {
        if (faults.rawAnswer() != null) {
            return Answer.raw(faults.rawAnswer());
        }
        if (faults.serviceUnavailableRetryAfterSeconds() != null) {
            return new Answer(503, Map.of("Retry-After", String.valueOf(faults.serviceUnavailableRetryAfterSeconds())),
                    null, null, 0);
        }
        String authorization = ctx.request().getHeader("Authorization");
        Principal principal;
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            try {
                Map<String, Object> claims = tokens.verify(authorization.substring(7).strip());
                checkClaims(claims);
                @SuppressWarnings("unchecked")
                List<String> roles = claims.get("roles") instanceof List<?> list ? (List<String>) list : List.of();
                principal = new Principal(String.valueOf(claims.get("appid")), roles, null);
            } catch (TokenIssuer.InvalidTokenException e) {
                return Answer.unauthorized(e.diagnosticsCode, e.getMessage());
            }
            AccessRules.EwsGate gate = tenant.access().ewsGate(principal.appId, ctx.request().getHeader("User-Agent"));
            if (gate != AccessRules.EwsGate.OPEN) {
                // EWS switched off for the organisation, the app not on EwsAllowedAppIDs, or its user agent refused.
                return Answer.refused(gate);
            }
        } else if (authorization != null && authorization.regionMatches(true, 0, "NTLM ", 0, 5)) {
            HttpConnection connection = ctx.request().connection();
            byte[] token;
            try {
                token = Base64.getDecoder().decode(authorization.substring(5).strip());
            } catch (IllegalArgumentException e) {
                return Answer.unauthorized(null, null);
            }
            int type = NtlmServer.type(token);
            if (type == 1) {
                byte[] challenge = NtlmServer.newChallenge();
                if (ntlmChallenges.put(connection, challenge) == null && !ntlmAccounts.containsKey(connection)) {
                    connection.closeHandler(closed -> forget(connection));
                }
                return new Answer(401, Map.of("WWW-Authenticate", "NTLM " + Base64.getEncoder()
                        .encodeToString(NtlmServer.challengeMessage("CONTOSO", challenge))), null, null, 0);
            }
            byte[] challenge = ntlmChallenges.remove(connection);
            var account = type == 3 && challenge != null ? NtlmServer.verify(token, challenge, tenant.state()::serviceAccount)
                    : Optional.<ServiceAccount>empty();
            if (account.isEmpty()) {
                return Answer.unauthorized(null, null);
            }
            tenant.stats().countNtlmHandshake();
            ntlmAccounts.put(connection, account.get());
            principal = new Principal(null, List.of(), account.get());
        } else if (authorization == null && ntlmAccounts.containsKey(ctx.request().connection())) {
            // IIS keeps an NTLM-authenticated connection authenticated for the requests that follow on it.
            principal = new Principal(null, List.of(), ntlmAccounts.get(ctx.request().connection()));
        } else if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            var account = basic(authorization.substring(6).strip());
            if (account.isEmpty()) {
                return Answer.unauthorized(null, null);
            }
            principal = new Principal(null, List.of(), account.get());
        } else {
            return Answer.unauthorized(null, null);
        }

        Document request;
        try {
            DocumentBuilder parser = parsers.newDocumentBuilder();
            request = parser.parse(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));
        } catch (SAXException | IOException | ParserConfigurationException e) {
            return Answer.fault("ErrorSchemaValidation", "The request failed schema validation: " + e.getMessage(), null);
        }
        Element header = child(request.getDocumentElement(), SoapMessages.SOAP, "Header");
        Element soapBody = child(request.getDocumentElement(), SoapMessages.SOAP, "Body");
        Element operation = soapBody == null ? null : firstElement(soapBody);
        if (operation == null) {
            return Answer.fault("ErrorSchemaValidation", "The request failed schema validation: no SOAP body.", null);
        }
        if (schema != null) {
            String violation = schema.violation(header, operation);
            if (violation != null) {
                return Answer.fault("ErrorSchemaValidation", "The request failed schema validation: " + violation, null);
            }
        }

        String budgetKey = principal.key();
        if (enter(budgetKey) > faults.concurrencyBudget()) {
            tenant.stats().countServerBusy();
            return Answer.fault("ErrorServerBusy", "The server cannot service this request right now. Try again later.",
                    SoapMessages.value("BackOffMilliseconds", String.valueOf(faults.serverBusyBackOffMs())))
                    .leaving(budgetKey);
        }
        return accessAnswer(ctx, header, operation, principal, faults).leaving(budgetKey);
    }

    private Answer accessAnswer(RoutingContext ctx, Element header, Element operation, Principal principal,
                                Faults faults) {
        Element impersonation = header == null ? null : child(header, SoapMessages.TYPES, "ExchangeImpersonation");
        if (impersonation == null) {
            if (principal.account == null) {
                return Answer.fault("ErrorInvalidExchangeImpersonationHeaderData",
                        "ExchangeImpersonation SOAP header must be present for this type of OAuth token.", null);
            }
            return Answer.fault("ErrorInvalidRequest", "The simulated tenant answers impersonated requests only.", null);
        }
        String smtp = impersonatedAddress(impersonation);
        if (smtp == null) {
            return Answer.fault("ErrorInvalidExchangeImpersonationHeaderData",
                    "The impersonation header names no SMTP address or principal name.", null);
        }
        String anchor = ctx.request().getHeader("X-AnchorMailbox");
        long extraLatency = 0;
        if (anchor == null) {
            // Without the anchor Exchange Online routes blindly: slower, and now and then a failure.
            extraLatency = faults.missingAnchorLatencyMs();
            if (tenant.stats().countMissingAnchor() % 2 == 0) {
                return Answer.fault("ErrorInternalServerError", "An internal server error occurred. The operation failed.",
                        null).slower(extraLatency);
            }
        } else if (!anchor.equalsIgnoreCase(smtp)) {
            tenant.stats().countAnchorMismatch();
        }
        var mailbox = tenant.state().mailbox(smtp);
        if (mailbox.isEmpty()) {
            return Answer.fault("ErrorNonExistentMailbox", "The SMTP address has no mailbox associated with it.",
                    SoapMessages.value("SmtpAddress", smtp)).slower(extraLatency);
        }
        if (principal.account == null) {
            AccessRules.EwsGate gate = tenant.access().mailboxEwsGate(mailbox.get());
            if (gate != AccessRules.EwsGate.OPEN) {
                return Answer.refused(gate).slower(extraLatency);
            }
        }
        String injected = faults.responseCodeFor(mailbox.get().smtp());
        if (injected != null) {
            return Answer.fault(injected, SoapMessages.messageFor(injected), null).slower(extraLatency);
        }
        boolean granted = principal.account != null ? tenant.access().canImpersonate(principal.account, mailbox.get())
                : tenant.access().canActAs(principal.appId, principal.roles, mailbox.get());
        if (!granted) {
            return Answer.fault("ErrorImpersonateUserDenied",
                    "The account does not have permission to impersonate the requested user.", null).slower(extraLatency);
        }
        if (!operation.getLocalName().equals("GetFolder")) {
            return Answer.fault("ErrorInvalidRequest", "The simulated tenant answers GetFolder only.", null);
        }
        Element folderId = descendant(operation, SoapMessages.TYPES, "DistinguishedFolderId");
        if (folderId == null) {
            return Answer.fault("ErrorInvalidRequest", "The simulated tenant answers GetFolder by DistinguishedFolderId only.", null);
        }
        return Answer.ok(SoapMessages.getFolderSuccess(mailbox.get().smtp(), folderId.getAttribute("Id"))).slower(extraLatency);
    }

    private Optional<ServiceAccount> basic(String encoded) {
        try {
            String decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? Optional.empty()
                    : tenant.state().authenticate(decoded.substring(0, colon), decoded.substring(colon + 1));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Counts a request in flight for a principal; returns how many are in flight with it. */
    private int enter(String principal) {
        return inFlight.computeIfAbsent(principal, p -> new AtomicInteger()).incrementAndGet();
    }

    private void leave(String principal) {
        inFlight.get(principal).decrementAndGet();
    }

    private void forget(HttpConnection connection) {
        ntlmChallenges.remove(connection);
        ntlmAccounts.remove(connection);
    }

    /** Who is asking: an app (with its token's roles) or an on-premises service account. */
    private record Principal(String appId, List<String> roles, ServiceAccount account) {
        String key() {
            return account != null ? "user:" + account.name().toLowerCase(Locale.ROOT) : "app:" + appId;
        }
    }

    private void checkClaims(Map<String, Object> claims) throws TokenIssuer.InvalidTokenException {
        long now = tenant.now().getEpochSecond();
        if (!(claims.get("exp") instanceof Number exp) || exp.longValue() <= now) {
            throw new TokenIssuer.InvalidTokenException("2000001", "The token has expired.");
        }
        if (claims.get("nbf") instanceof Number nbf && nbf.longValue() > now + 300) {
            throw new TokenIssuer.InvalidTokenException("2000001", "The token is not yet valid.");
        }
        if (!AUDIENCE.equals(claims.get("aud"))) {
            throw new TokenIssuer.InvalidTokenException("2000003",
                    "The audience claim value is invalid '" + claims.get("aud") + "'.");
        }
        if (!tenant.isTenant(String.valueOf(claims.get("tid")))) {
            throw new TokenIssuer.InvalidTokenException("2000004", "The token was issued by another tenant.");
        }
    }


    static String impersonatedAddress(Element impersonation) {
        Element sid = child(impersonation, SoapMessages.TYPES, "ConnectingSID");
        if (sid == null) {
            return null;
        }
        for (String name : List.of("SmtpAddress", "PrimarySmtpAddress", "PrincipalName")) {
            Element id = child(sid, SoapMessages.TYPES, name);
            if (id != null) {
                return id.getTextContent().strip().toLowerCase(Locale.ROOT);
            }
        }
        return null;
    }

    static Element child(Element parent, String namespace, String localName) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && localName.equals(e.getLocalName()) && namespace.equals(e.getNamespaceURI())) {
                return e;
            }
        }
        return null;
    }

    static Element firstElement(Element parent) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e) {
                return e;
            }
        }
        return null;
    }

    static Element descendant(Element parent, String namespace, String localName) {
        var list = parent.getElementsByTagNameNS(namespace, localName);
        return list.getLength() == 0 ? null : (Element) list.item(0);
    }

    private void send(RoutingContext ctx, Answer answer) {
        if (answer.budgetKey != null) {
            leave(answer.budgetKey);
        }
        var response = ctx.response().setStatusCode(answer.status);
        answer.headers.forEach((name, value) -> {
            if (!name.equals("Content-Type")) {
                // Several challenges go in separate WWW-Authenticate headers, one scheme each, as IIS sends them.
                for (String each : value.split("\n")) {
                    response.headers().add(name, each);
                }
            }
        });
        if (answer.body == null) {
            response.end();
        } else {
            // ews-java-api cannot read a response without this exact content type.
            response.putHeader("Content-Type", answer.headers.getOrDefault("Content-Type", "text/xml; charset=utf-8"))
                    .end(Buffer.buffer(answer.body));
        }
    }

    private synchronized void remember(RoutingContext ctx, String body) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("receivedAt", tenant.now().toString());
        Map<String, String> headers = new LinkedHashMap<>();
        ctx.request().headers().forEach(h -> headers.put(h.getKey(),
                h.getKey().equalsIgnoreCase("Authorization") ? h.getValue().replaceAll("(?i)^(\\S+)\\s.*", "$1 (redacted)")
                        : h.getValue()));
        entry.put("headers", headers);
        entry.put("body", body);
        recent.addFirst(entry);
        while (recent.size() > RECENT_REQUESTS) {
            recent.removeLast();
        }
    }

    /** The last requests received, newest first; the Authorization header's value is redacted. */
    synchronized List<Map<String, Object>> recentRequests() {
        return new ArrayList<>(recent);
    }

    /** @param budgetKey the principal whose in-flight count to release once sent, or null */
    private record Answer(int status, Map<String, String> headers, String body, String budgetKey, long extraLatencyMs) {
        static Answer ok(String body) {
            return new Answer(200, Map.of(), body, null, 0);
        }

        static Answer fault(String code, String message, String messageXml) {
            return new Answer(500, Map.of(), SoapMessages.fault(code, message, messageXml), null, 0);
        }

        /**
         * HTTP 403 for a request a gate refuses, with {@code X-EWS-Policy-Reason} naming the kind of gate as Exchange
         * Online does (it does not say which policy); a licence without EWS gets a bare 403.
         */
        static Answer refused(AccessRules.EwsGate gate) {
            String reason = switch (gate) {
                case DISABLED -> POLICY_DISABLED;
                case BLOCKED_BY_POLICY -> POLICY_BLOCKED;
                case LICENCE_WITHOUT_EWS, OPEN -> null;
            };
            return new Answer(403, reason == null ? Map.of() : Map.of(POLICY_REASON_HEADER, reason), null, null, 0);
        }

        static Answer raw(Faults.RawAnswer raw) {
            return new Answer(raw.status(), raw.contentType() == null ? Map.of() : Map.of("Content-Type", raw.contentType()),
                    raw.body() == null || raw.body().isEmpty() ? null : raw.body(), null, 0);
        }

        Answer leaving(String key) {
            return new Answer(status, headers, body, key, extraLatencyMs);
        }

        Answer slower(long millis) {
            return new Answer(status, headers, body, budgetKey, extraLatencyMs + millis);
        }

        static Answer unauthorized(String diagnosticsCode, String reason) {
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("WWW-Authenticate", "Bearer client_id=\"00000002-0000-0ff1-ce00-000000000000\", "
                    + "trusted_issuers=\"00000001-0000-0000-c000-000000000000@*\", "
                    + "authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", error=\"invalid_token\""
                    + "\nNTLM\nBasic realm=\"contoso.com\"");
            if (diagnosticsCode != null) {
                headers.put("x-ms-diagnostics", diagnosticsCode + ";reason=\"" + reason.replace("\"", "'")
                        + "\";error_category=\"invalid_token\"");
            }
            return new Answer(401, headers, null, null, 0);
        }
    }
}
