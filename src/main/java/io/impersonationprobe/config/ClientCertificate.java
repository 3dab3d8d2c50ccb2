package io.impersonationprobe.config;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;

/** An app's certificate and private key for client assertions. {@link #toString()} never shows the key. */
public record ClientCertificate(PrivateKey privateKey, X509Certificate certificate) {

    public Instant notAfter() {
        return certificate.getNotAfter().toInstant();
    }

    @Override
    public String toString() {
        return "ClientCertificate[subject=" + certificate.getSubjectX500Principal() + ", notAfter=" + notAfter() + "]";
    }
}
