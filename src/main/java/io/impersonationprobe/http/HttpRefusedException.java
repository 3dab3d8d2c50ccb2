package io.impersonationprobe.http;

import java.io.IOException;

/**
 * An answer the daemon will not read on: a redirect (never followed), a body over the cap, a Content-Encoding it did
 * not ask for. The message says what the server did and is safe to show: status, sizes and the redirect's host only.
 */
public final class HttpRefusedException extends IOException {
    private final int status;

    public HttpRefusedException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** The HTTP status of the refused answer. */
    public int status() {
        return status;
    }
}
