package io.impersonationprobe.simulator;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

/**
 * Checks a certificate client assertion (RFC 7523) as Entra ID does: the {@code x5t#S256} (or {@code x5t}) header
 * names a certificate registered on the app, whose key must verify the RS256 signature; issuer and subject are the
 * client ID; the assertion is within its lifetime.
 */
final class ClientAssertions {
    static final String TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    private ClientAssertions() {
    }

    /** Why an assertion was refused, with the AADSTS code Entra uses. */
    static final class Refused extends Exception {
        final int aadsts;

        Refused(int aadsts, String message) {
            super(message, null, false, false);
            this.aadsts = aadsts;
        }
    }

    static void verify(String assertion, App app, Instant now, ObjectMapper json) throws Refused {
        String[] parts = assertion.split("\\.", -1);
        if (parts.length != 3) {
            throw new Refused(50027, "Invalid JWT token. Token format not valid.");
        }
        Map<String, Object> header;
        Map<String, Object> claims;
        try {
            header = json.readValue(Base64.getUrlDecoder().decode(parts[0]), new TypeReference<>() {
            });
            claims = json.readValue(Base64.getUrlDecoder().decode(parts[1]), new TypeReference<>() {
            });
        } catch (Exception e) {
            throw new Refused(50027, "Invalid JWT token. Token format not valid.");
        }
        X509Certificate certificate = findCertificate(header, app);
        if (certificate == null) {
            throw new Refused(700027, "The certificate with identifier used to sign the client assertion is not "
                    + "registered on application. [Reason - The key was not found.]");
        }
        try {
            Signature signature = Signature.getInstance("SHA256withRSA");
            signature.initVerify(certificate.getPublicKey());
            signature.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            if (!"RS256".equals(header.get("alg")) || !signature.verify(Base64.getUrlDecoder().decode(parts[2]))) {
                throw new Refused(700027, "Client assertion failed signature validation.");
            }
        } catch (Refused e) {
            throw e;
        } catch (Exception e) {
            throw new Refused(700027, "Client assertion failed signature validation.");
        }
        if (!app.appId().equals(claims.get("iss")) || !app.appId().equals(claims.get("sub"))) {
            throw new Refused(700023, "Client assertion audience claim does not match Realm issuer.");
        }
        long seconds = now.getEpochSecond();
        if (!(claims.get("exp") instanceof Number exp) || exp.longValue() < seconds
                || (claims.get("nbf") instanceof Number nbf && nbf.longValue() > seconds + 300)) {
            throw new Refused(700024, "Client assertion is not within its valid time range.");
        }
    }

    /** msal4j writes thumbprints in standard base64 with padding, other clients in base64url: compare the bytes. */
    private static X509Certificate findCertificate(Map<String, Object> header, App app) {
        for (String name : new String[]{"x5t#S256", "x5t"}) {
            if (header.get(name) instanceof String value) {
                byte[] wanted = decode(value);
                for (X509Certificate certificate : app.certificates().values()) {
                    if (wanted != null && MessageDigest.isEqual(wanted,
                            rawDigest(name.equals("x5t") ? "SHA-1" : "SHA-256", certificate))) {
                        return certificate;
                    }
                }
            }
        }
        return null;
    }

    private static byte[] decode(String value) {
        try {
            return value.contains("+") || value.contains("/") || value.endsWith("=")
                    ? Base64.getDecoder().decode(value) : Base64.getUrlDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static X509Certificate parseCertificate(String pem) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        } catch (CertificateException | ClassCastException e) {
            throw new IllegalArgumentException("certificate is not a PEM X.509 certificate");
        }
    }

    /** The base64url SHA-256 thumbprint, as in the {@code x5t#S256} header. */
    static String thumbprint(X509Certificate certificate) {
        return digest("SHA-256", certificate);
    }

    private static String digest(String algorithm, X509Certificate certificate) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(rawDigest(algorithm, certificate));
    }

    private static byte[] rawDigest(String algorithm, X509Certificate certificate) {
        try {
            return MessageDigest.getInstance(algorithm).digest(certificate.getEncoded());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
