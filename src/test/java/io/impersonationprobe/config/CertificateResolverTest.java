package io.impersonationprobe.config;

import io.impersonationprobe.testing.Canaries;
import io.impersonationprobe.testing.TestCertificates;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Client certificates as admins have them, PKCS12 or PEM, made with keytool for the test; every problem names the
 * file it is about.
 */
class CertificateResolverTest {
    private static final String AUTH = "impersonation.tenants.contoso.auth";
    private static final String PASSWORD = Canaries.PKCS12_PASSWORD;

    @TempDir
    static Path dir;
    static Path app;
    static Path other;

    @BeforeAll
    static void keyPairs() {
        app = TestCertificates.keyPair(dir, "app", "impersonation-probe", null, PASSWORD);
        other = TestCertificates.keyPair(dir, "other", "someone-else", null, PASSWORD);
    }

    private static Map<String, String> withCertificate(Map<String, String> auth) {
        Map<String, String> properties = ConfigFixtures.valid();
        properties.remove(AUTH + ".client-secret");
        properties.put(AUTH + ".method", "client-certificate");
        auth.forEach((name, value) -> properties.put(AUTH + "." + name, value));
        return properties;
    }

    private static Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    private static X509Certificate resolved(Map<String, String> properties) {
        return ConfigFixtures.validated(properties).tenants().get("contoso").certificate().certificate();
    }

    @Test
    void aPkcs12FileWithItsPassword() {
        assertEquals(TestCertificates.certificate(app, PASSWORD), resolved(withCertificate(
                Map.of("certificate-file", app.toString(), "certificate-password", PASSWORD))));
    }

    @Test
    void aWrongPkcs12PasswordIsNamedAndNotEchoed() {
        assertEquals(List.of(AUTH + ".certificate-file: cannot open it as PKCS12 (wrong password or not a PKCS12 file)"),
                ConfigFixtures.problems(withCertificate(
                        Map.of("certificate-file", app.toString(), "certificate-password", "not-" + PASSWORD))));
    }

    @Test
    void aPemCertificateWithItsKey() throws IOException {
        X509Certificate certificate = TestCertificates.certificate(app, PASSWORD);
        Path pem = write("app.pem", TestCertificates.certificatePem(certificate));
        Path key = write("app.key", TestCertificates.privateKeyPem(app, PASSWORD));
        assertEquals(certificate, resolved(withCertificate(
                Map.of("certificate-pem-file", pem.toString(), "private-key-pem-file", key.toString()))));
    }

    @Test
    void pemProblemsNameTheFileTheyAreAbout() throws IOException {
        Path pem = write("app.pem", TestCertificates.certificatePem(TestCertificates.certificate(app, PASSWORD)));
        Path key = write("app.key", TestCertificates.privateKeyPem(app, PASSWORD));
        Path otherKey = write("other.key", TestCertificates.privateKeyPem(other, PASSWORD));
        Path notPem = write("notes.txt", "not a certificate\n");
        Path absent = dir.resolve("absent.key");
        assertEquals(List.of(AUTH + ".certificate-pem-file: it holds no PEM certificate"), ConfigFixtures.problems(
                withCertificate(Map.of("certificate-pem-file", notPem.toString(), "private-key-pem-file", key.toString()))));
        assertEquals(List.of(AUTH + ".private-key-pem-file: the private key does not belong to the certificate"),
                ConfigFixtures.problems(withCertificate(
                        Map.of("certificate-pem-file", pem.toString(), "private-key-pem-file", otherKey.toString()))));
        assertEquals(List.of(AUTH + ".private-key-pem-file: cannot read " + absent + " (NoSuchFileException)"),
                ConfigFixtures.problems(withCertificate(
                        Map.of("certificate-pem-file", pem.toString(), "private-key-pem-file", absent.toString()))));
        assertEquals(List.of(AUTH + ".certificate-pem-file: it holds no PEM certificate",
                        AUTH + ".private-key-pem-file: no PEM private key found"),
                ConfigFixtures.problems(withCertificate(
                        Map.of("certificate-pem-file", notPem.toString(), "private-key-pem-file", notPem.toString()))),
                "both files are checked");
    }
}
