package io.impersonationprobe.config;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Optional;

/**
 * The TLS context of a tenant's endpoints: the JVM's, or one that trusts the CAs of the tenant's trust store (an
 * on-premises server with an internal CA). Certificates are verified either way.
 */
final class TrustStoreResolver {
    private TrustStoreResolver() {
    }

    /**
     * @param prefix the TLS properties, such as {@code impersonation.tenants.corp.tls}
     * @return the context, or empty with a problem naming the trust store
     */
    static Optional<SSLContext> resolve(String prefix, ProbeConfig.Tls tls, Problems problems) {
        String property = prefix + ".trust-store";
        try {
            if (tls.trustStore().isEmpty()) {
                return Optional.of(SSLContext.getDefault());
            }
            Path file = tls.trustStore().get();
            byte[] content;
            try {
                content = Files.readAllBytes(file);
            } catch (IOException e) {
                problems.add(property, "cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
                return Optional.empty();
            }
            char[] password = tls.trustStorePassword().map(p -> p.reveal().toCharArray()).orElse(null);
            KeyStore store = KeyMaterial.trustStore(content, password);
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return Optional.of(context);
        } catch (GeneralSecurityException e) {
            problems.add(property, e.getMessage());
            return Optional.empty();
        }
    }
}
