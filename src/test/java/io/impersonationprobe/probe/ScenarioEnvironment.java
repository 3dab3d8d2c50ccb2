package io.impersonationprobe.probe;

import io.impersonationprobe.simulator.DemoTenant;
import io.impersonationprobe.testing.Canaries;
import io.impersonationprobe.testing.TestCertificates;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Tenants for the scenario matrix, each pointed at the simulator: a client certificate (PKCS12 and PEM), wrong app
 * credentials, an on-premises Basic service account, and the simulator's HTTPS listener with and without a trust
 * store for its self-signed certificate. Key material is made fresh for the run.
 */
public class ScenarioEnvironment implements QuarkusTestResourceLifecycleManager {
    static final String SIMULATOR = "http://127.0.0.1:18089";
    static final int TLS_PORT = 18443;
    static final String ADMIN_READER_APP = "a11ce000-0000-4000-8000-00000000ad01";
    static Path dir;
    static X509Certificate appCertificate;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("impersonation-probe-scenarios");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Path app = TestCertificates.keyPair(dir, "app", "impersonation-probe test app", null, Canaries.PKCS12_PASSWORD);
        appCertificate = TestCertificates.certificate(app, Canaries.PKCS12_PASSWORD);
        Path certPem = write("app-cert.pem", TestCertificates.certificatePem(appCertificate));
        Path keyPem = write("app-key.pem", TestCertificates.privateKeyPem(app, Canaries.PKCS12_PASSWORD));
        Path server = TestCertificates.keyPair(dir, "server", "localhost", "dns:localhost,ip:127.0.0.1",
                Canaries.SIMULATOR_KEY_STORE_PASSWORD);
        Path trust = TestCertificates.trustStore(dir, TestCertificates.certificate(server,
                Canaries.SIMULATOR_KEY_STORE_PASSWORD), Canaries.TRUST_STORE_PASSWORD);

        Map<String, String> config = new LinkedHashMap<>();
        config.put("simulator.tls.port", String.valueOf(TLS_PORT));
        config.put("simulator.tls.key-store", server.toString());
        config.put("simulator.tls.key-store-password", Canaries.SIMULATOR_KEY_STORE_PASSWORD);
        config.put("impersonation.scheduler.jitter", "0");
        // Check every target's configured access at each poll, and call a grant stuck after 5 s instead of 2 h.
        config.put("impersonation.tenants.contoso.control-plane.authorization-sample", "500");
        config.put("impersonation.tenants.contoso.control-plane.propagation-window", "5s");
        config.put("impersonation.tenants.contoso.control-plane.timeout", "2s");
        oauth(config, "cert", SIMULATOR);
        config.put("impersonation.tenants.cert.auth.method", "client-certificate");
        config.put("impersonation.tenants.cert.auth.certificate-file", app.toString());
        config.put("impersonation.tenants.cert.auth.certificate-password", Canaries.PKCS12_PASSWORD);
        oauth(config, "pem", SIMULATOR);
        config.put("impersonation.tenants.pem.auth.method", "client-certificate");
        config.put("impersonation.tenants.pem.auth.certificate-pem-file", certPem.toString());
        config.put("impersonation.tenants.pem.auth.private-key-pem-file", keyPem.toString());
        oauth(config, "bad-secret", SIMULATOR);
        config.put("impersonation.tenants.bad-secret.auth.client-secret", Canaries.WRONG_CLIENT_SECRET);
        oauth(config, "unknown-app", SIMULATOR);
        config.put("impersonation.tenants.unknown-app.auth.client-id", "00000000-0000-0000-0000-0000000000a1");
        config.put("impersonation.tenants.unknown-app.auth.client-secret", Canaries.WRONG_CLIENT_SECRET);
        config.put("impersonation.tenants.onprem.kind", "on-premises");
        config.put("impersonation.tenants.onprem.ews-url", SIMULATOR + "/EWS/Exchange.asmx");
        config.put("impersonation.tenants.onprem.auth.method", "basic");
        config.put("impersonation.tenants.onprem.auth.username", "CONTOSO\\svc-probe");
        config.put("impersonation.tenants.onprem.auth.password", Canaries.SERVICE_ACCOUNT_PASSWORD);
        config.put("impersonation.tenants.ntlm.kind", "on-premises");
        config.put("impersonation.tenants.ntlm.ews-url", SIMULATOR + "/EWS/Exchange.asmx");
        config.put("impersonation.tenants.ntlm.concurrency", "2");
        config.put("impersonation.tenants.ntlm.auth.method", "ntlm");
        config.put("impersonation.tenants.ntlm.auth.username", "CONTOSO\\svc-ntlm");
        config.put("impersonation.tenants.ntlm.auth.password", Canaries.NTLM_PASSWORD);
        oauth(config, "separate-admin", SIMULATOR);
        config.put("impersonation.tenants.separate-admin.auth.client-secret", DemoTenant.APP_SECRET);
        config.put("impersonation.tenants.separate-admin.control-plane.auth.directory", DemoTenant.DOMAIN);
        config.put("impersonation.tenants.separate-admin.control-plane.auth.client-id", ADMIN_READER_APP);
        config.put("impersonation.tenants.separate-admin.control-plane.auth.client-secret", Canaries.ADMIN_READER_SECRET);
        config.put("impersonation.tenants.separate-admin.control-plane.auth.authority-url-override", SIMULATOR);
        String https = "https://localhost:" + TLS_PORT;
        oauth(config, "tls-untrusted", https);
        config.put("impersonation.tenants.tls-untrusted.auth.client-secret", DemoTenant.APP_SECRET);
        oauth(config, "tls-trusted", https);
        config.put("impersonation.tenants.tls-trusted.auth.client-secret", DemoTenant.APP_SECRET);
        config.put("impersonation.tenants.tls-trusted.tls.trust-store", trust.toString());
        config.put("impersonation.tenants.tls-trusted.tls.trust-store-password", Canaries.TRUST_STORE_PASSWORD);

        for (String group : new String[]{"sales-and-support", "executives", "departed"}) {
            config.put("impersonation.groups." + group + ".interval", "1h");
        }
        group(config, "scenario", "contoso", "allow",
                "alex.wilber@contoso.com,megan.bowen@contoso.com,lynne.robbins@contoso.com,diego.siciliani@contoso.com");
        group(config, "scenario-deny", "contoso", "deny", "patti.fernandez@contoso.com,isaiah.langer@contoso.com");
        group(config, "throttle", "contoso", "allow", "support@contoso.com");
        group(config, "bulk", "contoso", "allow", IntStream.rangeClosed(1, 200)
                .mapToObj(i -> String.format("bulk-%03d@contoso.com", i)).collect(Collectors.joining(",")));
        group(config, "propagation", "contoso", "allow", "boardroom@contoso.com,stuck-room@contoso.com");
        group(config, "cert", "cert", "allow", "alex.wilber@contoso.com");
        group(config, "pem", "pem", "allow", "megan.bowen@contoso.com");
        group(config, "bad-secret", "bad-secret", "allow", "alex.wilber@contoso.com");
        group(config, "unknown-app", "unknown-app", "allow", "alex.wilber@contoso.com");
        group(config, "onprem-allow", "onprem", "allow", "alex.wilber@contoso.com");
        group(config, "onprem-deny", "onprem", "deny", "patti.fernandez@contoso.com");
        group(config, "ntlm-allow", "ntlm", "allow", "alex.wilber@contoso.com,megan.bowen@contoso.com,"
                + "lynne.robbins@contoso.com,diego.siciliani@contoso.com,support@contoso.com");
        group(config, "ntlm-deny", "ntlm", "deny", "patti.fernandez@contoso.com");
        group(config, "tls-untrusted", "tls-untrusted", "allow", "alex.wilber@contoso.com");
        group(config, "tls-trusted", "tls-trusted", "allow", "alex.wilber@contoso.com");
        return config;
    }

    /** An Exchange Online tenant using the demo app against the simulator's token endpoint. */
    private static void oauth(Map<String, String> config, String tenant, String ewsBase) {
        String prefix = "impersonation.tenants." + tenant + ".";
        config.put(prefix + "kind", "exchange-online");
        config.put(prefix + "ews-url", ewsBase + "/EWS/Exchange.asmx");
        config.put(prefix + "auth.directory", DemoTenant.DOMAIN);
        config.put(prefix + "auth.client-id", DemoTenant.APP_ID);
        config.put(prefix + "auth.authority-url-override", SIMULATOR);
        config.put(prefix + "control-plane.admin-api-url", SIMULATOR);
    }

    private static void group(Map<String, String> config, String name, String tenant, String expect, String mailboxes) {
        String prefix = "impersonation.groups." + name + ".";
        config.put(prefix + "tenant", tenant);
        config.put(prefix + "expect", expect);
        config.put(prefix + "interval", "1h");
        config.put(prefix + "mailboxes", mailboxes);
    }

    private static Path write(String name, String content) {
        try {
            return Files.writeString(dir.resolve(name), content);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // A temporary folder; the OS cleans it up.
        }
    }
}
