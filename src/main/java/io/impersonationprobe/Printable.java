package io.impersonationprobe;

/** Makes text from configuration or a remote server safe for one log line or API field. */
public final class Printable {
    private Printable() {
    }

    /** Escapes control characters and cuts the text at {@code max} code points. */
    public static String of(String text, int max) {
        if (text == null) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        text.codePoints().limit(max).forEach(c -> {
            if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return text.codePointCount(0, text.length()) > max ? out + "…" : out.toString();
    }
}
