package io.impersonationprobe.simulator;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * The server side of NTLM (MS-NLMP) as IIS runs it for on-premises EWS: a Type 2 challenge with target information
 * (so clients answer with NTLMv2), then a check of the Type 3 NTLMv2 response against the service account's
 * password. Authentication is bound to the connection by the caller.
 */
final class NtlmServer {
    private static final byte[] SIGNATURE = "NTLMSSP\0".getBytes(StandardCharsets.US_ASCII);
    private static final int UNICODE = 0x1;
    private static final int REQUEST_TARGET = 0x4;
    private static final int NEGOTIATE_NTLM = 0x200;
    private static final int ALWAYS_SIGN = 0x8000;
    private static final int TARGET_TYPE_DOMAIN = 0x10000;
    private static final int EXTENDED_SESSION_SECURITY = 0x80000;
    private static final int TARGET_INFO = 0x800000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private NtlmServer() {
    }

    /** The message type (1, 2 or 3) of a token, or 0 when it is not NTLM. */
    static int type(byte[] token) {
        if (token.length < 12 || !Arrays.equals(Arrays.copyOf(token, 8), SIGNATURE)) {
            return 0;
        }
        return le32(token, 8);
    }

    static byte[] newChallenge() {
        byte[] challenge = new byte[8];
        RANDOM.nextBytes(challenge);
        return challenge;
    }

    /** A Type 2 message for the domain, carrying the challenge and target information. */
    static byte[] challengeMessage(String domain, byte[] serverChallenge) {
        byte[] target = domain.getBytes(StandardCharsets.UTF_16LE);
        ByteArrayOutputStream info = new ByteArrayOutputStream();
        avPair(info, 2, target);
        avPair(info, 1, "SIMULATOR".getBytes(StandardCharsets.UTF_16LE));
        avPair(info, 0, new byte[0]);
        byte[] targetInfo = info.toByteArray();
        int header = 48;
        ByteBuffer message = ByteBuffer.allocate(header + target.length + targetInfo.length).order(ByteOrder.LITTLE_ENDIAN);
        message.put(SIGNATURE).putInt(2);
        message.putShort((short) target.length).putShort((short) target.length).putInt(header);
        message.putInt(UNICODE | REQUEST_TARGET | NEGOTIATE_NTLM | ALWAYS_SIGN | TARGET_TYPE_DOMAIN
                | EXTENDED_SESSION_SECURITY | TARGET_INFO);
        message.put(serverChallenge).putLong(0);
        message.putShort((short) targetInfo.length).putShort((short) targetInfo.length).putInt(header + target.length);
        message.put(target).put(targetInfo);
        return message.array();
    }

    /**
     * The account a Type 3 message proves, if its NTLMv2 response matches the account's password.
     *
     * @param accounts the account, with its password, by user name
     */
    static Optional<ServiceAccount> verify(byte[] type3, byte[] serverChallenge,
                                           Function<String, Optional<ServiceAccount>> accounts) {
        try {
            byte[] ntResponse = field(type3, 20);
            String domain = new String(field(type3, 28), StandardCharsets.UTF_16LE);
            String user = new String(field(type3, 36), StandardCharsets.UTF_16LE);
            if (ntResponse.length <= 24) {
                return Optional.empty(); // NTLMv1: refused, as a hardened server does
            }
            Optional<ServiceAccount> account = accounts.apply(user);
            if (account.isEmpty()) {
                return Optional.empty();
            }
            byte[] ntHash = Md4.digest(account.get().password().getBytes(StandardCharsets.UTF_16LE));
            byte[] ntowfv2 = hmacMd5(ntHash, (user.toUpperCase(Locale.ROOT) + domain).getBytes(StandardCharsets.UTF_16LE));
            byte[] proof = Arrays.copyOf(ntResponse, 16);
            byte[] blob = Arrays.copyOfRange(ntResponse, 16, ntResponse.length);
            byte[] expected = hmacMd5(ntowfv2, concat(serverChallenge, blob));
            return MessageDigest.isEqual(proof, expected) ? account : Optional.empty();
        } catch (RuntimeException | GeneralSecurityException e) {
            return Optional.empty();
        }
    }

    private static byte[] field(byte[] message, int offset) {
        int length = le16(message, offset);
        int start = le32(message, offset + 4);
        return Arrays.copyOfRange(message, start, start + length);
    }

    private static void avPair(ByteArrayOutputStream out, int id, byte[] value) {
        out.write(id);
        out.write(id >> 8);
        out.write(value.length);
        out.write(value.length >> 8);
        out.writeBytes(value);
    }

    private static byte[] hmacMd5(byte[] key, byte[] data) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacMD5");
        mac.init(new SecretKeySpec(key, "HmacMD5"));
        return mac.doFinal(data);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static int le16(byte[] b, int offset) {
        return (b[offset] & 0xff) | (b[offset + 1] & 0xff) << 8;
    }

    private static int le32(byte[] b, int offset) {
        return le16(b, offset) | le16(b, offset + 2) << 16;
    }
}
