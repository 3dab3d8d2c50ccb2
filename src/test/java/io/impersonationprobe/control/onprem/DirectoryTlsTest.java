package io.impersonationprobe.control.onprem;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import com.unboundid.util.ssl.KeyStoreKeyManager;
import com.unboundid.util.ssl.SSLUtil;
import com.unboundid.util.ssl.TrustAllTrustManager;
import io.impersonationprobe.config.DirectorySettings;
import io.impersonationprobe.config.Secret;
import io.impersonationprobe.control.ControlPlaneException;
import io.impersonationprobe.control.ControlPlaneException.Failure;
import io.impersonationprobe.testing.TestCertificates;
import io.impersonationprobe.testing.TestDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * ldaps:// and StartTLS check the domain controller's certificate against the tenant's trust and its host name,
 * which UnboundID by default does not.
 */
class DirectoryTlsTest {
    private static final String PASSWORD = "changeit";

    @TempDir
    Path dir;

    /** A directory serving the key pair in {@code keys}, over ldaps:// or with StartTLS. */
    private InMemoryDirectoryServer server(Path keys, boolean startTls) throws Exception {
        InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig(TestDirectory.DOMAIN);
        config.setSchema(null);
        config.addAdditionalBindCredentials(TestDirectory.BIND_DN, TestDirectory.BIND_PASSWORD);
        SSLUtil server = new SSLUtil(new KeyStoreKeyManager(keys.toFile(), PASSWORD.toCharArray(), "PKCS12", null),
                new TrustAllTrustManager());
        config.setListenerConfigs(startTls
                ? InMemoryListenerConfig.createLDAPConfig("ldap", InetAddress.getLoopbackAddress(), 0,
                server.createSSLSocketFactory())
                : InMemoryListenerConfig.createLDAPSConfig("ldaps", InetAddress.getLoopbackAddress(), 0,
                server.createSSLServerSocketFactory(), null));
        InMemoryDirectoryServer directory = new InMemoryDirectoryServer(config);
        directory.startListening();
        return directory;
    }

    private SSLContext trusting(Path keys) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("dc", TestCertificates.certificate(keys, PASSWORD));
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    private static DirectorySettings settings(int port, boolean startTls, SSLContext trust) {
        return new DirectorySettings("127.0.0.1", port, !startTls, startTls, TestDirectory.BIND_DN,
                Secret.of(TestDirectory.BIND_PASSWORD), "CORP\\svc-ews", Duration.ofSeconds(5), Duration.ofSeconds(5),
                50, 100, Duration.ofMinutes(20), trust);
    }

    @ParameterizedTest(name = "startTls={0}")
    @ValueSource(booleans = {false, true})
    void aTrustedCertificateForTheHostConnects(boolean startTls) throws Exception {
        Path keys = TestCertificates.keyPair(dir, "dc", "127.0.0.1", "IP:127.0.0.1", PASSWORD);
        InMemoryDirectoryServer server = server(keys, startTls);
        try (Directory directory = Directory.open(settings(server.getListenPort(), startTls, trusting(keys)))) {
            assertEquals(true, directory.read("", "namingContexts").isPresent());
        } finally {
            server.shutDown(true);
        }
    }

    @ParameterizedTest(name = "startTls={0}")
    @ValueSource(booleans = {false, true})
    void aTrustedCertificateForAnotherHostIsRefused(boolean startTls) throws Exception {
        Path keys = TestCertificates.keyPair(dir, "elsewhere", "dc1.elsewhere.example", "DNS:dc1.elsewhere.example",
                PASSWORD);
        InMemoryDirectoryServer server = server(keys, startTls);
        try {
            ControlPlaneException e = assertThrows(ControlPlaneException.class,
                    () -> Directory.open(settings(server.getListenPort(), startTls, trusting(keys))));
            assertEquals(Failure.TLS_FAILED, e.failure(), e.getMessage());
        } finally {
            server.shutDown(true);
        }
    }

    @Test
    void anUntrustedCertificateIsRefused() throws Exception {
        Path keys = TestCertificates.keyPair(dir, "dc", "127.0.0.1", "IP:127.0.0.1", PASSWORD);
        InMemoryDirectoryServer server = server(keys, false);
        try {
            ControlPlaneException e = assertThrows(ControlPlaneException.class,
                    () -> Directory.open(settings(server.getListenPort(), false, SSLContext.getDefault())));
            assertEquals(Failure.TLS_FAILED, e.failure(), e.getMessage());
        } finally {
            server.shutDown(true);
        }
    }
}
