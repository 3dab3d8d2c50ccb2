package io.impersonationprobe.config;

import org.junit.jupiter.api.Test;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.util.Arrays;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** PEM private keys as admins have them: PKCS#8, PKCS#1 (OpenSSL's "RSA PRIVATE KEY"), and the ones to refuse. */
class KeyMaterialTest {

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder().encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    @Test
    void readsPkcs8AndPkcs1RsaKeys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        PrivateKey key = generator.generateKeyPair().getPrivate();
        byte[] pkcs8 = key.getEncoded();
        assertArrayEquals(pkcs8, KeyMaterial.privateKey(pem("PRIVATE KEY", pkcs8)).getEncoded());
        // A 2048-bit PKCS#8 RSA key is a 26-byte header around the PKCS#1 structure.
        byte[] pkcs1 = Arrays.copyOfRange(pkcs8, 26, pkcs8.length);
        assertArrayEquals(pkcs8, KeyMaterial.privateKey(pem("RSA PRIVATE KEY", pkcs1)).getEncoded(),
                "the PKCS#1 key, wrapped, is the same key");
    }

    @Test
    void refusesWhatCannotSignAClientAssertion() throws Exception {
        assertEquals("the PEM private key is encrypted; use an unencrypted key file or a PKCS12 file with a password",
                assertThrows(GeneralSecurityException.class,
                        () -> KeyMaterial.privateKey(pem("ENCRYPTED PRIVATE KEY", new byte[]{1, 2, 3}))).getMessage());
        String legacyEncrypted = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n"
                + "-----END RSA PRIVATE KEY-----\n";
        assertEquals("the PEM private key is encrypted; use an unencrypted key file or a PKCS12 file with a password",
                assertThrows(GeneralSecurityException.class, () -> KeyMaterial.privateKey(legacyEncrypted)).getMessage(),
                "OpenSSL's older encrypted PKCS#1 form");
        KeyPair ec = KeyPairGenerator.getInstance("EC").generateKeyPair();
        assertEquals("the private key is not an RSA key; client assertions are signed with RS256",
                assertThrows(GeneralSecurityException.class,
                        () -> KeyMaterial.privateKey(pem("PRIVATE KEY", ec.getPrivate().getEncoded()))).getMessage());
        assertEquals("no PEM private key found",
                assertThrows(GeneralSecurityException.class, () -> KeyMaterial.privateKey("not a key")).getMessage());
    }
}
