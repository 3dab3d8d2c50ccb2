package io.impersonationprobe.control.onprem;

/** Security identifiers in their binary form (objectSid, tokenGroups) as the text S-1-5-21-… */
final class Sids {
    private Sids() {
    }

    /** The SID's text, or null for bytes that are not a SID. */
    static String text(byte[] sid) {
        if (sid == null || sid.length < 8 || sid[0] != 1 || sid.length != 8 + 4 * (sid[1] & 0xFF)) {
            return null;
        }
        long authority = 0;
        for (int i = 2; i < 8; i++) {
            authority = (authority << 8) | (sid[i] & 0xFF);
        }
        StringBuilder text = new StringBuilder("S-1-").append(authority);
        for (int i = 0; i < (sid[1] & 0xFF); i++) {
            int at = 8 + 4 * i;
            long sub = (sid[at] & 0xFFL) | (sid[at + 1] & 0xFFL) << 8 | (sid[at + 2] & 0xFFL) << 16
                    | (sid[at + 3] & 0xFFL) << 24;
            text.append('-').append(sub);
        }
        return text.toString();
    }
}
