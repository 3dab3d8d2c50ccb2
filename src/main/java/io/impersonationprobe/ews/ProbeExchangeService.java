package io.impersonationprobe.ews;

import microsoft.exchange.webservices.data.core.ExchangeService;
import microsoft.exchange.webservices.data.core.enumeration.misc.ExchangeVersion;
import org.apache.http.client.protocol.HttpClientContext;
import org.apache.http.config.Registry;
import org.apache.http.conn.socket.ConnectionSocketFactory;

import java.io.IOException;

/**
 * An {@link ExchangeService} for exactly one probe: it is not thread-safe, so each probe gets its own, but all of a
 * tenant's services send through the tenant's shared {@link EwsHttpClient}. The private client the base class builds
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

    /** The per-service context the shared client records this probe's raw response in. */
    HttpClientContext context() {
        return httpContext;
    }

    /** The shared client outlives this service; nothing of its own is left to close. */
    @Override
    public void close() {
    }
}
