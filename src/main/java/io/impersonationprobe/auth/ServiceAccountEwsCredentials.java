package io.impersonationprobe.auth;

import io.impersonationprobe.config.ServiceAccount;
import microsoft.exchange.webservices.data.core.ExchangeService;
import microsoft.exchange.webservices.data.credential.WebCredentials;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/**
 * An on-premises service account holding ApplicationImpersonation. NTLM is negotiated by the HTTP client once per
 * connection (the tenant's pooled connections stay authenticated); Basic is sent with every request, so the probe
 * needs one round trip and never reveals the password to a server that did not ask over TLS.
 */
public final class ServiceAccountEwsCredentials implements EwsCredentials {
    private final ServiceAccount account;
    private final boolean basic;

    public ServiceAccountEwsCredentials(ServiceAccount account, boolean basic) {
        this.account = account;
        this.basic = basic;
    }

    @Override
    public String kind() {
        return basic ? "basic" : "ntlm";
    }

    @Override
    public AccessToken applyTo(ExchangeService service, Instant deadline) {
        if (basic) {
            String pair = account.qualifiedName() + ":" + account.password().reveal();
            service.getHttpHeaders().put("Authorization",
                    "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
        } else {
            service.setCredentials(new WebCredentials(account.user(), account.password().reveal(), account.domain()));
        }
        return null;
    }

    @Override
    public void rejected() {
        // A password cannot be renewed; the AUTH_FAILED result says what to check.
    }
}
