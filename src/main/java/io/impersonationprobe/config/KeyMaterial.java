package io.impersonationprobe.config;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads certificates, private keys and key stores from the bytes of their files, with errors that say what is wrong
 * with the content and never what is in it. Reading the files is the resolvers' job, so that a missing file is
 * reported as one and not as a wrong password.
 */
final class KeyMaterial {
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");
    /** Client assertions are signed with RS256, so the app's key must be RSA. */
    private static final String NOT_RSA = "the private key is not an RSA key; client assertions are signed with RS256";

    private KeyMaterial() {
    }

    /** The one private key of a PKCS12 store, with its certificate. */
    static ClientCertificate pkcs12(byte[] content, char[] password) throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try {
            store.load(new ByteArrayInputStream(content), password);
        } catch (IOException e) {
            // KeyStore reports a wrong password as an IOException; say so without echoing anything.
            throw new GeneralSecurityException("cannot open it as PKCS12 (wrong password or not a PKCS12 file)");
        }
        List<String> keyAliases = new ArrayList<>();
        for (String alias : Collections.list(store.aliases())) {
            if (store.isKeyEntry(alias)) {
                keyAliases.add(alias);
            }
        }
        if (keyAliases.size() != 1) {
            throw new GeneralSecurityException("it holds " + keyAliases.size() + " private keys; exactly one is needed");
        }
        Key key = store.getKey(keyAliases.get(0), password);
        if (!(key instanceof PrivateKey privateKey)
                || !(store.getCertificate(keyAliases.get(0)) instanceof X509Certificate certificate)) {
            throw new GeneralSecurityException("its key entry has no private key with an X.509 certificate");
        }
        if (!"RSA".equals(privateKey.getAlgorithm())) {
            throw new GeneralSecurityException(NOT_RSA);
        }
        return matching(privateKey, certificate);
    }

    /** The first certificate of a PEM file: the app's, before any chain. */
    static X509Certificate firstCertificate(byte[] pem) throws GeneralSecurityException {
        Collection<? extends Certificate> certificates;
        try {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem));
        } catch (CertificateException e) {
            throw new GeneralSecurityException("it holds no PEM certificate");
        }
        if (certificates.isEmpty() || !(certificates.iterator().next() instanceof X509Certificate certificate)) {
            throw new GeneralSecurityException("it holds no PEM certificate");
        }
        return certificate;
    }

    /** An unencrypted RSA private key in PEM: PKCS#8 ("PRIVATE KEY") or PKCS#1 ("RSA PRIVATE KEY"). */
    static PrivateKey privateKey(String pem) throws GeneralSecurityException {
        Matcher m = PEM.matcher(pem);
        boolean legacyEncrypted = pem.contains("Proc-Type: 4,ENCRYPTED");
        if (!legacyEncrypted && !m.find()) {
            throw new GeneralSecurityException("no PEM private key found");
        }
        if (legacyEncrypted || m.group(1).equals("ENCRYPTED PRIVATE KEY")) {
            throw new GeneralSecurityException(
                    "the PEM private key is encrypted; use an unencrypted key file or a PKCS12 file with a password");
        }
        byte[] der = Base64.getMimeDecoder().decode(m.group(2));
        return switch (m.group(1)) {
            case "PRIVATE KEY" -> rsa(der);
            case "RSA PRIVATE KEY" -> rsa(rsaPkcs1ToPkcs8(der));
            case "EC PRIVATE KEY" -> throw new GeneralSecurityException(NOT_RSA);
            default -> throw new GeneralSecurityException("'" + m.group(1) + "' is not a private key");
        };
    }

    /** Refuses a key that does not belong to the certificate: the assertion would be refused by Entra anyway. */
    static ClientCertificate matching(PrivateKey key, X509Certificate certificate) throws GeneralSecurityException {
        if (!(key instanceof RSAPrivateCrtKey rsa) || !(certificate.getPublicKey() instanceof RSAPublicKey publicKey)
                || !rsa.getModulus().equals(publicKey.getModulus())) {
            throw new GeneralSecurityException("the private key does not belong to the certificate");
        }
        return new ClientCertificate(key, certificate);
    }

    /** A trust store in PKCS12 or JKS. */
    static KeyStore trustStore(byte[] content, char[] password) throws GeneralSecurityException {
        for (String type : List.of("PKCS12", "JKS")) {
            try {
                KeyStore store = KeyStore.getInstance(type);
                store.load(new ByteArrayInputStream(content), password);
                return store;
            } catch (IOException | GeneralSecurityException tryNext) {
                // Not this type, or a wrong password.
            }
        }
        throw new GeneralSecurityException("cannot open it as a PKCS12 or JKS trust store (wrong password or format)");
    }

    private static PrivateKey rsa(byte[] der) throws GeneralSecurityException {
        try {
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new GeneralSecurityException(NOT_RSA);
        }
    }

    /** Wraps a PKCS#1 RSAPrivateKey in the PKCS#8 structure the JDK reads. */
    private static byte[] rsaPkcs1ToPkcs8(byte[] pkcs1) {
        byte[] algorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01,
                0x01, 0x05, 0x00};
        byte[] version = {0x02, 0x01, 0x00};
        byte[] octets = der(0x04, pkcs1);
        byte[] content = new byte[version.length + algorithm.length + octets.length];
        System.arraycopy(version, 0, content, 0, version.length);
        System.arraycopy(algorithm, 0, content, version.length, algorithm.length);
        System.arraycopy(octets, 0, content, version.length + algorithm.length, octets.length);
        return der(0x30, content);
    }

    private static byte[] der(int tag, byte[] content) {
        byte[] length = content.length < 128 ? new byte[]{(byte) content.length} : lengthBytes(content.length);
        byte[] out = new byte[1 + length.length + content.length];
        out[0] = (byte) tag;
        System.arraycopy(length, 0, out, 1, length.length);
        System.arraycopy(content, 0, out, 1 + length.length, content.length);
        return out;
    }

    private static byte[] lengthBytes(int length) {
        byte[] value = BigInteger.valueOf(length).toByteArray();
        int start = value[0] == 0 ? 1 : 0;
        byte[] out = new byte[1 + value.length - start];
        out[0] = (byte) (0x80 | (value.length - start));
        System.arraycopy(value, start, out, 1, value.length - start);
        return out;
    }
}
