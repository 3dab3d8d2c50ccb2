package io.impersonationprobe.control.onprem;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedSearchRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryOperationInterceptor;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchScope;
import io.impersonationprobe.config.DirectorySettings;
import io.impersonationprobe.config.Secret;
import io.impersonationprobe.control.ControlPlaneException;
import io.impersonationprobe.control.ControlPlaneException.Failure;
import io.impersonationprobe.testing.TestDirectory;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A directory that is down, slow, answers referrals or far too much: each is a classified failure, never a hang. */
class DirectoryTest {

    @Test
    void aDirectoryThatIsDownIsUnreachable() throws Exception {
        int port;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort();
        }
        var settings = OnPremisesRbacTest.settings(port, "CORP\\svc-ews", 500, 100, Duration.ofSeconds(2));
        ControlPlaneException e = assertThrows(ControlPlaneException.class, () -> Directory.open(settings));
        assertEquals(Failure.UNREACHABLE, e.failure(), e.getMessage());
    }

    @Test
    void aDirectoryThatAcceptsButNeverAnswersTimesOutWithoutTheBindPasswordInTheMessage() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return silent.accept();
                } catch (IOException ex) {
                    return null;
                }
            });
            var settings = OnPremisesRbacTest.settings(silent.getLocalPort(), "CORP\\svc-ews", 500, 100,
                    Duration.ofMillis(500));
            long started = System.nanoTime();
            ControlPlaneException e = assertThrows(ControlPlaneException.class, () -> Directory.open(settings));
            System.out.printf("silent directory: %s after %d ms%n", e.failure(), (System.nanoTime() - started) / 1_000_000);
            assertEquals(Failure.TIMEOUT, e.failure(), e.getMessage());
            assertFalse(e.getMessage().contains(TestDirectory.BIND_PASSWORD));
            Socket socket = accepted.get();
            if (socket != null) {
                socket.close();
            }
        }
    }

    @Test
    void aReferralIsAFailureAndItsTargetNeverSeesTheBindPassword() throws Exception {
        try (ServerSocket elsewhere = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            AtomicInteger contacted = new AtomicInteger();
            Thread watcher = new Thread(() -> {
                try (Socket s = elsewhere.accept()) {
                    contacted.incrementAndGet();
                    s.getInputStream().readAllBytes();
                } catch (IOException ignored) {
                    // closed at the end of the test
                }
            });
            watcher.setDaemon(true);
            watcher.start();
            String target = "ldap://127.0.0.1:" + elsewhere.getLocalPort() + "/" + TestDirectory.DOMAIN;
            InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig(TestDirectory.DOMAIN);
            config.setSchema(null);
            config.addAdditionalBindCredentials(TestDirectory.BIND_DN, TestDirectory.BIND_PASSWORD);
            config.setListenerConfigs(InMemoryListenerConfig.createLDAPConfig("ldap",
                    InetAddress.getLoopbackAddress(), 0, null));
            config.addInMemoryOperationInterceptor(new InMemoryOperationInterceptor() {
                @Override
                public void processSearchRequest(InMemoryInterceptedSearchRequest request) throws LDAPException {
                    throw new LDAPException(ResultCode.REFERRAL, "go elsewhere", null, new String[]{target});
                }
            });
            InMemoryDirectoryServer server = new InMemoryDirectoryServer(config);
            server.startListening();
            try (Directory directory = Directory.open(OnPremisesRbacTest.settings(server.getListenPort(),
                    "CORP\\svc-ews", 500, 100, Duration.ofSeconds(2)))) {
                ControlPlaneException e = assertThrows(ControlPlaneException.class, () -> directory.search(
                        TestDirectory.DOMAIN, SearchScope.SUB, Filter.createPresenceFilter("objectClass")));
                assertEquals(Failure.REFERRAL, e.failure(), e.getMessage());
            } finally {
                server.shutDown(true);
            }
            Thread.sleep(200); // a follow-up connection would have arrived by now
            assertEquals(0, contacted.get(), "the referral's target was contacted");
        }
    }

    @Test
    void aHugeAnswerIsPagedAndBounded() throws Exception {
        try (TestDirectory directory = new TestDirectory("/ldap/exchange-onprem.ldif")) {
            for (int i = 0; i < 250; i++) {
                directory.add("dn: CN=user" + i + ",OU=Mailboxes," + TestDirectory.DOMAIN, "objectClass: user",
                        "cn: user" + i, "description: " + "x".repeat(200));
            }
            Filter users = Filter.createEqualityFilter("objectClass", "user");
            int before = directory.searches.get();
            try (Directory paged = Directory.open(OnPremisesRbacTest.settings(directory.port(), "CORP\\svc-ews", 50,
                    1000, Duration.ofSeconds(5)))) {
                int found = paged.search(TestDirectory.DOMAIN, SearchScope.SUB, users, "cn").size();
                int pages = directory.searches.get() - before;
                System.out.printf("paged search: %d entries in %d page(s) of 50%n", found, pages);
                assertEquals(250 + 7, found); // and the fixture's users and mailboxes
                assertTrue(pages >= 6, "pages: " + pages);
            }
            try (Directory bounded = Directory.open(OnPremisesRbacTest.settings(directory.port(), "CORP\\svc-ews", 50,
                    100, Duration.ofSeconds(5)))) {
                ControlPlaneException e = assertThrows(ControlPlaneException.class,
                        () -> bounded.search(TestDirectory.DOMAIN, SearchScope.SUB, users, "cn"));
                assertEquals(Failure.TOO_LARGE, e.failure());
                assertTrue(e.getMessage().contains("size-limit"), e.getMessage());
            }
        }
    }

    @Test
    void aWrongBindPasswordIsABindFailureThatDoesNotEchoIt() throws Exception {
        try (TestDirectory directory = new TestDirectory("/ldap/exchange-onprem.ldif")) {
            var good = OnPremisesRbacTest.settings(directory.port(), "CORP\\svc-ews", 50, 100, Duration.ofSeconds(5));
            var wrong = new DirectorySettings(good.host(), good.port(), false, false,
                    good.bindDn(), Secret.of("not-the-password"), good.serviceAccount(),
                    good.connectTimeout(), good.responseTimeout(), 50, 100, good.cacheWindow(), good.sslContext());
            ControlPlaneException e = assertThrows(ControlPlaneException.class, () -> Directory.open(wrong));
            assertEquals(Failure.BIND_FAILED, e.failure(), e.getMessage());
            assertFalse(e.getMessage()
.contains("not-the-password"));
        }
    }
}
