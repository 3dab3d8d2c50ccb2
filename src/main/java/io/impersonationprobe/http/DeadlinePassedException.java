package io.impersonationprobe.http;

import java.net.SocketTimeoutException;

/** The exchange was aborted at its deadline; a timeout for every caller that already knows socket timeouts. */
public final class DeadlinePassedException extends SocketTimeoutException {
    public DeadlinePassedException(String message) {
        super(message);
    }
}
