package io.impersonationprobe.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Certificates for tests, made with the JDK's own keytool: no test certificate is checked in. */
public final class TestCertificates {
    private TestCertificates() {
    }

    /** A PKCS12 file with one RSA key pair and its self-signed certificate, valid for 30 days. */
    public static Path keyPair(Path dir, String name, String commonName, String subjectAltNames, String password) {
        return keyPair(dir, name, commonName, subjectAltNames, password, 30);
    }

    /** A PKCS12 file with one RSA key pair and its self-signed certificate, valid for the given days. */
    public static Path keyPair(Path dir, String name, String commonName, String subjectAltNames, String password,
                               int validityDays) {
        Path file = dir.resolve(name + ".p12");
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", name, "-keyalg", "RSA", "-keysize", "2048", "-validity", String.valueOf(validityDays),
                "-dname", "CN=" + commonName, "-storetype", "PKCS12", "-keystore", file.toString(),
                "-storepass", password, "-keypass", password));
        if (subjectAltNames != null) {
            command.addAll(List.of("-ext", "SAN=" + subjectAltNames));
        }
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("keytool failed: " + output.replace(password, "****"));
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return file;
    }

    public static KeyStore load(Path pkcs12, String password) {
        try (InputStream in = Files.newInputStream(pkcs12)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password.toCharArray());
            return store;
        } catch (Exception e) {
            throw new IllegalStateException("cannot load " + pkcs12, e);
        }
    }

    public static X509Certificate certificate(Path pkcs12, String password) {
        try {
            KeyStore store = load(pkcs12, password);
            return (X509Certificate) store.getCertificate(store.aliases().nextElement());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static String certificatePem(X509Certificate certificate) {
        try {
            return pem("CERTIFICATE", certificate.getEncoded());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The private key as unencrypted PKCS#8 PEM. */
    public static String privateKeyPem(Path pkcs12, String password) {
        try {
            KeyStore store = load(pkcs12, password);
            PrivateKey key = (PrivateKey) store.getKey(store.aliases().nextElement(), password.toCharArray());
            return pem("PRIVATE KEY", key.getEncoded());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A PKCS12 trust store holding one trusted certificate. */
    public static Path trustStore(Path dir, X509Certificate certificate, String password) {
        Path file = dir.resolve("trust.p12");
        try (OutputStream out = Files.newOutputStream(file)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry("trusted", certificate);
            store.store(out, password.toCharArray());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return file;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
