package io.impersonationprobe.config;

import io.impersonationprobe.testing.Canaries;
import io.impersonationprobe.testing.TestCertificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

/** A tenant's TLS context: the JVM's, or one that trusts the CAs of its own trust store. */
class TrustStoreResolverTest {
    private static final String PASSWORD = Canaries.TRUST_STORE_PASSWORD;

    private static SSLContext resolved(Map<String, String> properties) {
        return ConfigFixtures.validated(properties).tenants().get("contoso").sslContext();
    }

    @Test
    void theJvmsTrustUnlessATrustStoreIsSet() throws NoSuchAlgorithmException {
        assertSame(SSLContext.getDefault(), resolved(ConfigFixtures.valid()));
    }

    @Test
    void aTrustStoreWithItsPassword(@TempDir Path dir) {
        Path ca = TestCertificates.keyPair(dir, "ca", "Contoso Internal CA", null, PASSWORD);
        Path store = TestCertificates.trustStore(dir, TestCertificates.certificate(ca, PASSWORD), PASSWORD);
        Map<String, String> properties = ConfigFixtures.valid();
        properties.put("impersonation.tenants.contoso.tls.trust-store", store.toString());
        properties.put("impersonation.tenants.contoso.tls.trust-store-password", PASSWORD);
        assertNotSame(resolved(ConfigFixtures.valid()), resolved(properties));

        properties.put("impersonation.tenants.contoso.tls.trust-store-password", "not-" + PASSWORD);
        assertEquals(List.of("impersonation.tenants.contoso.tls.trust-store: cannot open it as a PKCS12 or JKS trust "
                + "store (wrong password or format)"), ConfigFixtures.problems(properties));
    }
}
