package io.impersonationprobe.simulator;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Signs and verifies the simulated tenant's RS256 access tokens with a key pair made at startup. */
final class TokenIssuer {
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
    private static final int VERIFIED_KEPT = 256;

    private final KeyPair keys;
    private final ObjectMapper json;
    /**
     * Tokens whose signature was verified, with their claims: like a real server, the simulator checks a token's
     * signature once, not on every request (the caller still checks expiry and audience each time). Bounded: cleared
     * when full.
     */
    private final Map<String, Map<String, Object>> verified = new ConcurrentHashMap<>();

    TokenIssuer(ObjectMapper json) {
        this.json = json;
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            this.keys = generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    String sign(Map<String, Object> claims) {
        try {
            Map<String, Object> header = new LinkedHashMap<>();
            header.put("typ", "JWT");
            header.put("alg", "RS256");
            header.put("kid", "simulator");
            String input = ENCODER.encodeToString(json.writeValueAsBytes(header)) + "."
                    + ENCODER.encodeToString(json.writeValueAsBytes(claims));
            Signature signature = Signature.getInstance("SHA256withRSA");
            signature.initSign(keys.getPrivate());
            signature.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + ENCODER.encodeToString(signature.sign());
        } catch (Exception e) {
            throw new IllegalStateException("cannot sign token", e);
        }
    }

    /** The signing key as a JSON Web Key Set, as Entra ID publishes it at {@code /{tenant}/discovery/v2.0/keys}. */
    Map<String, Object> jwks() {
        RSAPublicKey key = (RSAPublicKey) keys.getPublic();
        Map<String, Object> jwk = new LinkedHashMap<>();
        jwk.put("kty", "RSA");
        jwk.put("use", "sig");
        jwk.put("kid", "simulator");
        jwk.put("alg", "RS256");
        jwk.put("n", ENCODER.encodeToString(unsigned(key.getModulus())));
        jwk.put("e", ENCODER.encodeToString(unsigned(key.getPublicExponent())));
        return Map.of("keys", List.of(jwk));
    }

    private static byte[] unsigned(BigInteger value) {
        byte[] bytes = value.toByteArray();
        return bytes[0] == 0 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
    }

    /** The claims of a token this issuer signed, or throws {@link InvalidTokenException} saying why not. */
    Map<String, Object> verify(String token) throws InvalidTokenException {
        Map<String, Object> known = verified.get(token);
        if (known != null) {
            return known;
        }
        Map<String, Object> claims = verifySignature(token);
        if (verified.size() >= VERIFIED_KEPT) {
            verified.clear();
        }
        verified.put(token, Collections.unmodifiableMap(claims));
        return claims;
    }

    private Map<String, Object> verifySignature(String token) throws InvalidTokenException {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            throw new InvalidTokenException("2000001", "The token is not a JWT.");
        }
        try {
            Map<String, Object> header = json.readValue(DECODER.decode(parts[0]), new TypeReference<>() {
            });
            if (!"RS256".equals(header.get("alg"))) {
                throw new InvalidTokenException("2000001", "The token is not signed with RS256.");
            }
            Signature signature = Signature.getInstance("SHA256withRSA");
            signature.initVerify(keys.getPublic());
            signature.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            if (!signature.verify(DECODER.decode(parts[2]))) {
                throw new InvalidTokenException("2000001", "The token signature is invalid.");
            }
            return json.readValue(DECODER.decode(parts[1]), new TypeReference<>() {
            });
        } catch (InvalidTokenException e) {
            throw e;
        } catch (Exception e) {
            throw new InvalidTokenException("2000001", "The token could not be parsed.");
        }
    }

    /** Why a bearer token was refused, with the {@code x-ms-diagnostics} code Exchange uses for it. */
    static final class InvalidTokenException extends Exception {
        final String diagnosticsCode;

        InvalidTokenException(String diagnosticsCode, String reason) {
            super(reason, null, false, false);
            this.diagnosticsCode = diagnosticsCode;
        }
    }
}
