package io.impersonationprobe.probe;

import io.impersonationprobe.simulator.DemoTenant;
import io.impersonationprobe.simulator.Simulator;
import io.impersonationprobe.simulator.SimulatorOptions;
import io.impersonationprobe.testing.Canaries;
import io.impersonationprobe.testing.SimulatorResource;
import io.impersonationprobe.testing.TestCertificates;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The simulated tenant with an HTTPS listener (a self-signed certificate made for the run), and tenants for the
 * scenario matrix, each pointed at it: a client certificate (PKCS12 and PEM), wrong app credentials, an on-premises
 * Basic and an NTLM service account, separate admin API credentials, the HTTPS listener with and without a trust
 * store, a bystander tenant that only ever has to keep working, and one tenant for each scenario that moves the
 * simulated clock. The app's certificate goes to the test's field
 * marked {@link AppCertificate}.
 */
public class ScenarioEnvironment extends SimulatorResource {
    static final String ADMIN_READER_APP = "a11ce000-0000-4000-8000-00000000ad01";

    /** Marks the test's field that receives the certificate the cert and pem tenants authenticate with. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface AppCertificate {
    }

    private Path dir;
    private Path server;
    private Path appKeyStore;
    private X509Certificate appCertificate;
    private Path certPem;
    private Path keyPem;
    private Path trust;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("impersonation-probe-scenarios");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        appKeyStore = TestCertificates.keyPair(dir, "app", "impersonation-probe test app", null, Canaries.PKCS12_PASSWORD);
        appCertificate = TestCertificates.certificate(appKeyStore, Canaries.PKCS12_PASSWORD);
        certPem = write("app-cert.pem", TestCertificates.certificatePem(appCertificate));
        keyPem = write("app-key.pem", TestCertificates.privateKeyPem(appKeyStore, Canaries.PKCS12_PASSWORD));
        server = TestCertificates.keyPair(dir, "server", "localhost", "dns:localhost,ip:127.0.0.1",
                Canaries.SIMULATOR_KEY_STORE_PASSWORD);
        trust = TestCertificates.trustStore(dir, TestCertificates.certificate(server,
                Canaries.SIMULATOR_KEY_STORE_PASSWORD), Canaries.TRUST_STORE_PASSWORD);
        return super.start();
    }

    @Override
    protected SimulatorOptions options() {
        return super.options().withTls(server, Canaries.SIMULATOR_KEY_STORE_PASSWORD, 0);
    }

    @Override
    protected Map<String, String> configFor(Simulator simulator) {
        String plain = simulator.baseUrl();
        String https = "https://localhost:" + simulator.tlsPort().orElseThrow();
        Map<String, String> config = new LinkedHashMap<>();
        config.put("impersonation.scheduler.jitter", "0");
        // The control plane is read when a scenario polls it, never in the middle of one.
        config.put("impersonation.tenants.contoso.control-plane.interval", "1h");
        config.put("impersonation.tenants.contoso.control-plane.timeout", "2s");
        // The scenarios that move the simulated clock have tenants of their own: the token a tenant gets while the
        // clock is ahead is not valid yet once it is back, and that must not reach any other scenario.
        oauth(config, "token-refresh", plain, plain);
        config.put("impersonation.tenants.token-refresh.auth.client-secret", DemoTenant.APP_SECRET);
        config.put("impersonation.tenants.token-refresh.control-plane.enabled", "false");
        oauth(config, "propagation", plain, plain);
        config.put("impersonation.tenants.propagation.auth.client-secret", DemoTenant.APP_SECRET);
        config.put("impersonation.tenants.propagation.control-plane.interval", "1h");
        config.put("impersonation.tenants.propagation.control-plane.timeout", "2s");
        // Check every target's configured access at each poll, and call a grant stuck after 5 s instead of 2 h.
        config.put("impersonation.tenants.propagation.control-plane.authorization-sample", "500");
        config.put("impersonation.tenants.propagation.control-plane.propagation-window", "5s");
        oauth(config, "cert", plain, plain);
        config.put("impersonation.tenants.cert.auth.method", "client-certificate");
        config.put("impersonation.tenants.cert.auth.certificate-file", appKeyStore.toString());
        config.put("impersonation.tenants.cert.auth.certificate-password", Canaries.PKCS12_PASSWORD);
        oauth(config, "pem", plain, plain);
        config.put("impersonation.tenants.pem.auth.method", "client-certificate");
        config.put("impersonation.tenants.pem.auth.certificate-pem-file", certPem.toString());
        config.put("impersonation.tenants.pem.auth.private-key-pem-file", keyPem.toString());
        oauth(config, "bad-secret", plain, plain);
        config.put("impersonation.tenants.bad-secret.auth.client-secret", Canaries.WRONG_CLIENT_SECRET);
        oauth(config, "unknown-app", plain, plain);
        config.put("impersonation.tenants.unknown-app.auth.client-id", "00000000-0000-0000-0000-0000000000a1");
        config.put("impersonation.tenants.unknown-app.auth.client-secret", Canaries.WRONG_CLIENT_SECRET);
        config.put("impersonation.tenants.onprem.kind", "on-premises");
        config.put("impersonation.tenants.onprem.ews-url", plain + "/EWS/Exchange.asmx");
        config.put("impersonation.tenants.onprem.auth.method", "basic");
        config.put("impersonation.tenants.onprem.auth.username", "CONTOSO\\svc-probe");
        config.put("impersonation.tenants.onprem.auth.password", Canaries.SERVICE_ACCOUNT_PASSWORD);
        config.put("impersonation.tenants.ntlm.kind", "on-premises");
        config.put("impersonation.tenants.ntlm.ews-url", plain + "/EWS/Exchange.asmx");
        config.put("impersonation.tenants.ntlm.concurrency", "2");
        config.put("impersonation.tenants.ntlm.auth.method", "ntlm");
        config.put("impersonation.tenants.ntlm.auth.username", "CONTOSO\\svc-ntlm");
        config.put("impersonation.tenants.ntlm.auth.password", Canaries.NTLM_PASSWORD);
        oauth(config, "separate-admin", plain, plain);
        config.put("impersonation.tenants.separate-admin.auth.client-secret", DemoTenant.APP_SECRET);
        config.put("impersonation.tenants.separate-admin.control-plane.auth.directory", DemoTenant.DOMAIN);
        config.put("impersonation.tenants.separate-admin.control-plane.auth.client-id", ADMIN_READER_APP);
        config.put("impersonation.tenants.separate-admin.control-plane.auth.client-secret", Canaries.ADMIN_READER_SECRET);
        config.put("impersonation.tenants.separate-admin.control-plane.auth.authority-url-override", plain);
        oauth(config, "tls-untrusted", https, plain);
        config.put("impersonation.tenants.tls-untrusted.auth.client-secret", DemoTenant.APP_SECRET);
        oauth(config, "tls-trusted", https, plain);
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
        group(config, "propagation", "propagation", "allow", "boardroom@contoso.com,stuck-room@contoso.com");
        group(config, "token-refresh", "token-refresh", "allow",
                "alex.wilber@contoso.com,megan.bowen@contoso.com,lynne.robbins@contoso.com,diego.siciliani@contoso.com");
        oauth(config, "bystander", plain, plain);
        config.put("impersonation.tenants.bystander.auth.client-secret", DemoTenant.APP_SECRET);
        config.put("impersonation.tenants.bystander.control-plane.enabled", "false");
        group(config, "bystander", "bystander", "allow", "alex.wilber@contoso.com");
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

    /** An Exchange Online tenant using the demo app, its EWS at {@code ewsBase}, its tokens and admin API at {@code base}. */
    private static void oauth(Map<String, String> config, String tenant, String ewsBase, String base) {
        String prefix = "impersonation.tenants." + tenant + ".";
        config.put(prefix + "kind", "exchange-online");
        config.put(prefix + "ews-url", ewsBase + "/EWS/Exchange.asmx");
        config.put(prefix + "auth.directory", DemoTenant.DOMAIN);
        config.put(prefix + "auth.client-id", DemoTenant.APP_ID);
        config.put(prefix + "auth.authority-url-override", base);
        config.put(prefix + "control-plane.admin-api-url", base);
    }

    private static void group(Map<String, String> config, String name, String tenant, String expect, String mailboxes) {
        String prefix = "impersonation.groups." + name + ".";
        config.put(prefix + "tenant", tenant);
        config.put(prefix + "expect", expect);
        config.put(prefix + "interval", "1h");
        config.put(prefix + "mailboxes", mailboxes);
    }

    @Override
    public void inject(TestInjector injector) {
        super.inject(injector);
        injector.injectIntoFields(appCertificate, new TestInjector.AnnotatedAndMatchesType(AppCertificate.class,
                X509Certificate.class));
    }

    private Path write(String name, String content) {
        try {
            return Files.writeString(dir.resolve(name), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        super.stop();
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // A temporary folder; the OS cleans it up.
        }
    }
}
