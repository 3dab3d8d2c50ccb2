package io.impersonationprobe.auth;

import io.impersonationprobe.config.ResolvedTenant;
import io.impersonationprobe.config.ValidatedConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/** One credential object per tenant, built once and reused: the token cache lives in it. */
@ApplicationScoped
public class CredentialRegistry {
    private final Map<String, EwsCredentials> ewsCredentials = new HashMap<>();

    @Inject
    public CredentialRegistry(ValidatedConfig config, TokenListener listener) {
        for (ResolvedTenant tenant : config.tenants().values()) {
            ewsCredentials.put(tenant.id(), switch (tenant.config().auth().method()) {
                case CLIENT_SECRET -> new OAuthEwsCredentials(
                        new MsalTokenSource(tenant.id(), tenant.config().auth(), tenant.secret(), Clock.systemUTC(), listener));
            });
        }
    }

    public EwsCredentials ews(String tenant) {
        EwsCredentials credentials = ewsCredentials.get(tenant);
        if (credentials == null) {
            throw new IllegalArgumentException("unknown tenant " + tenant);
        }
        return credentials;
    }
}
