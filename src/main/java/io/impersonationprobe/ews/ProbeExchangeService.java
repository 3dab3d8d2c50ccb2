package io.impersonationprobe.ews;

import microsoft.exchange.webservices.data.core.ExchangeService;
import microsoft.exchange.webservices.data.core.enumeration.misc.ExchangeVersion;
import org.apache.http.client.protocol.HttpClientContext;
import org.apache.http.config.Registry;
import org.apache.http.impl.client.BasicCookieStore;
import org.apache.http.conn.socket.ConnectionSocketFactory;

import java.io.IOException;

/**
 * An {@link ExchangeService} for one probe at a time: it is not thread-safe, so a probe borrows one from its tenant's
 * pool and {@link #reset()}s it (building one costs more than the request it sends); all of a tenant's services send
 * through the tenant's shared {@link EwsHttpClient}. The private client the base class builds
 * in its constructor is closed at once and never used.
 */
final class ProbeExchangeService extends ExchangeService {

    ProbeExchangeService(EwsHttpClient shared) {
        super(ExchangeVersion.Exchange2010_SP2);
        try {
            httpClient.close();
        } catch (IOException ignored) {
            // Nothing was ever sent on it.
        }
        httpClient = shared.client();
    }

    /** Called by the base constructor: never let the library's lenient trust manager be built. */
    @Override
    protected Registry<ConnectionSocketFactory> createConnectionSocketFactoryRegistry() {
        return EwsHttpClient.STRICT_SOCKETS;
    }

    /**
     * Makes the service as a new one would be for the next probe: no cookies or headers of the last probe
     * (Exchange Online's routing cookie names the last mailbox), a fresh context for the raw answer. Credentials stay:
     * the pool is the tenant's, and each probe sets them again.
     */
    void reset() {
        httpContext = HttpClientContext.create();
        httpContext.setCookieStore(new BasicCookieStore());
        getHttpHeaders().clear();
    }

    /** The per-service context the shared client records this probe's raw response in. */
    HttpClientContext context() {
        return httpContext;
    }

    /** The shared client outlives this service; nothing of its own is left to close. */
    @Override
    public void close() {
    }
}
