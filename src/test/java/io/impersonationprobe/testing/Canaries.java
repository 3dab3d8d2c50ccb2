package io.impersonationprobe.testing;

import java.util.List;

/**
 * Every secret the tests hand the daemon. Each is distinctive, so that the leak check can look for it in everything
 * the test run printed, scraped or received.
 */
public final class Canaries {
    public static final String WRONG_CLIENT_SECRET = "canary-wrong-client-secret-Qk7v";
    public static final String PKCS12_PASSWORD = "canary-pkcs12-password-Zr4m";
    public static final String SERVICE_ACCOUNT_PASSWORD = "canary-service-account-password-Jw2x";
    public static final String NTLM_PASSWORD = "canary-ntlm-password-Rp6c";
    public static final String ADMIN_READER_SECRET = "canary-admin-reader-secret-Fy8d";
    public static final String TRUST_STORE_PASSWORD = "canary-trust-store-password-Vt9p";
    public static final String SIMULATOR_KEY_STORE_PASSWORD = "canary-simulator-key-store-Hb3n";
    public static final String STARTUP_TEST_SECRET = "startup-test-secret";
    /** The demo app's secret in the simulated tenant. */
    public static final String DEMO_CLIENT_SECRET = "simulator-demo-secret";

    public static final List<String> ALL = List.of(WRONG_CLIENT_SECRET, PKCS12_PASSWORD, SERVICE_ACCOUNT_PASSWORD, NTLM_PASSWORD, ADMIN_READER_SECRET,
            TRUST_STORE_PASSWORD, SIMULATOR_KEY_STORE_PASSWORD, STARTUP_TEST_SECRET, DEMO_CLIENT_SECRET);

    private Canaries() {
    }
}
