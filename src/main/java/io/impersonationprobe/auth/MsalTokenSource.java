package io.impersonationprobe.auth;

import com.microsoft.aad.msal4j.ClientCredentialParameters;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.aad.msal4j.IAuthenticationResult;
import com.microsoft.aad.msal4j.IClientCredential;
import com.microsoft.aad.msal4j.MsalServiceException;
import io.impersonationprobe.Causes;
import io.impersonationprobe.config.ProbeConfig;
import io.impersonationprobe.http.DeadlinePassedException;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.MalformedURLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * App-only tokens for one tenant through one reused {@link ConfidentialClientApplication}. msal4j sends one token
 * request per concurrent caller on a cold cache, so this class keeps the current token itself and runs one request
 * at a time (single flight): every caller that needs a token meanwhile waits for that same request, until its own
 * deadline at most, and shares its result, token or failure. After a failure no request is sent for a while
 * ({@link #FIRST_BACKOFF}, doubling up to {@link #MAX_BACKOFF}): callers fail at once with the failure's cause, so a
 * broken or hostile token endpoint neither slows every probe nor receives a request per probe.
 */
public final class MsalTokenSource implements TokenSource {
    /** Renew ahead of expiry like msal4j does, so a probe never starts with a token about to lapse. */
    static final Duration RENEW_BEFORE_EXPIRY = Duration.ofMinutes(5);
    /** After a refusal forced a new token, further refusals force none for this long: a new one would be refused too. */
    static final Duration FORCED_RENEWAL_INTERVAL = Duration.ofMinutes(1);
    static final Duration MAX_BACKOFF = Duration.ofMinutes(5);

    /** Runs token requests, so that a caller can stop waiting at its deadline while the request goes on for the others. */
    private static final ExecutorService REQUESTS = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "token-request");
        thread.setDaemon(true);
        return thread;
    });

    private final ConfidentialClientApplication app;
    private final ClientCredentialParameters parameters;
    private final ClientCredentialParameters bypassingCache;
    private final Duration timeout;
    private final Clock clock;
    private final String tenant;
    private final TokenListener listener;
    private final Duration firstBackoff;
    private final Object lock = new Object();
    private volatile AccessToken current;
    private CompletableFuture<AccessToken> inFlight;
    private TokenException lastFailure;
    private Duration backoff;
    private Instant retryAt;
    private Instant lastForcedRenewal;
    private volatile boolean skipCache;

    /** @param firstBackoff how long after a failure no request is sent; doubled after each further failure */
    public MsalTokenSource(String tenant, ProbeConfig.Auth auth, IClientCredential credential, SSLContext ssl,
                           Clock clock, Duration firstBackoff, TokenListener listener) {
        this(tenant, auth, auth.scope(), credential, ssl, clock, firstBackoff, listener);
    }

    /** Tokens for another resource than the tenant's EWS scope, such as Microsoft Graph, with the same credential. */
    public MsalTokenSource(String tenant, ProbeConfig.Auth auth, String scope, IClientCredential credential,
                           SSLContext ssl, Clock clock, Duration firstBackoff, TokenListener listener) {
        this.tenant = tenant;
        this.firstBackoff = firstBackoff;
        this.listener = listener;
        this.timeout = auth.tokenTimeout();
        this.clock = clock;
        String authority = auth.authority().toString().replaceAll("/+$", "") + "/" + auth.directory().orElseThrow() + "/";
        try {
            this.app = ConfidentialClientApplication
                    .builder(auth.clientId().orElseThrow(), credential)
                    .authority(authority)
                    // Only the token request is sent: no instance discovery call to the public cloud.
                    .instanceDiscovery(false)
                    // No silent retries: a failed token request is a visible, classified result.
                    .disableInternalRetries()
                    .httpClient(new MsalHttpClient(timeout, auth.authorityUrlOverride(), ssl))
                    .build();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("invalid authority URL", e);
        }
        this.parameters = ClientCredentialParameters.builder(Set.of(scope)).build();
        this.bypassingCache = ClientCredentialParameters.builder(Set.of(scope)).skipCache(true).build();
    }

    @Override
    public AccessToken token(Instant deadline) throws TokenException {
        AccessToken token = current;
        if (isFresh(token)) {
            return cached(token);
        }
        CompletableFuture<AccessToken> request;
        synchronized (lock) {
            token = current;
            if (isFresh(token)) {
                return cached(token);
            }
            if (inFlight == null && lastFailure != null && clock.instant().isBefore(retryAt)) {
                throw new TokenException(lastFailure.errorCode(), lastFailure.getMessage() + " (no new token request "
                        + "before " + retryAt + ")", null);
            }
            if (inFlight == null) {
                inFlight = CompletableFuture.supplyAsync(this::request, REQUESTS);
            }
            request = inFlight;
        }
        try {
            return request.get(Math.max(0, Duration.between(clock.instant(), deadline).toMillis()), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new TokenException("timeout", "no token before the deadline (the token request is still running)", null);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TokenException failure) {
                throw failure;
            }
            throw new TokenException("error", "token request failed: " + Causes.describe(Causes.root(e)), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TokenException("interrupted", "token request interrupted", null);
        }
    }

    /** The one request in flight; its result, token or failure, is what every waiting caller gets. */
    private AccessToken request() {
        Instant started = clock.instant();
        try {
            AccessToken token = acquire();
            synchronized (lock) {
                current = token;
                lastFailure = null;
                backoff = null;
                inFlight = null;
            }
            listener.tokenRequested(tenant, "success", Duration.between(started, clock.instant()), token.expiresAt());
            return token;
        } catch (TokenException | RuntimeException e) {
            // Whatever went wrong, the flight ends here: a request left in flight would block every later caller.
            TokenException failure = e instanceof TokenException known ? known
                    : new TokenException("error", "token request failed: " + Causes.describe(e), null);
            synchronized (lock) {
                backoff = backoff == null ? firstBackoff : min(backoff.multipliedBy(2), MAX_BACKOFF);
                retryAt = clock.instant().plus(backoff);
                lastFailure = failure;
                inFlight = null;
            }
            listener.tokenRequested(tenant, failure.errorCode(), Duration.between(started, clock.instant()), null);
            throw new CompletionException(failure);
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    @Override
    public void rejected() {
        synchronized (lock) {
            Instant now = clock.instant();
            if (current != null && (lastForcedRenewal == null || lastForcedRenewal.plus(FORCED_RENEWAL_INTERVAL).isBefore(now))) {
                lastForcedRenewal = now;
                current = null;
                skipCache = true;
            }
        }
    }

    private boolean isFresh(AccessToken token) {
        return token != null && token.expiresAt().minus(RENEW_BEFORE_EXPIRY).isAfter(clock.instant());
    }

    private static AccessToken cached(AccessToken token) {
        return token.fromCache() ? token : new AccessToken(token.value(), token.expiresAt(), true);
    }

    private AccessToken acquire() throws TokenException {
        try {
            // msal4j keeps its own copy of a refused token; after a refusal, ask the identity provider again.
            IAuthenticationResult result = app.acquireToken(skipCache ? bypassingCache : parameters)
                    .get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
            skipCache = false;
            boolean fromCache = result.metadata() != null
                    && result.metadata().tokenSource() == com.microsoft.aad.msal4j.TokenSource.CACHE;
            Instant expiresAt = result.expiresOnDate().toInstant();
            if (!expiresAt.isAfter(clock.instant())) {
                skipCache = true;
                throw new TokenException("error", "the token endpoint's token expired at " + expiresAt, null);
            }
            return new AccessToken(result.accessToken(), expiresAt, fromCache);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof MsalServiceException service) {
                throw new TokenException(TokenException.errorClass(service.errorCode()),
                        (service.statusCode() == null ? "" : "HTTP " + service.statusCode() + ", ")
                                + firstLine(service.getMessage()), null);
            }
            MsalHttpClient.Refused refused = Causes.find(cause, MsalHttpClient.Refused.class);
            if (refused != null) {
                throw new TokenException("error", refused.getMessage(), null);
            }
            if (Causes.find(cause, DeadlinePassedException.class) != null) {
                throw new TokenException("timeout", "no complete answer from the token endpoint within " + timeout, null);
            }
            throw new TokenException("unreachable", "token service not reached: " + describe(cause), null);
        } catch (TimeoutException e) {
            throw new TokenException("timeout", "token request took longer than " + timeout, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TokenException("interrupted", "token request interrupted", null);
        }
    }

    /** The first I/O failure in the chain (such as ConnectException), which says more than msal4j's wrappers. */
    private static String describe(Throwable t) {
        Throwable io = Causes.find(t, IOException.class);
        return firstLine(Causes.describe(io != null ? io : Causes.root(t)));
    }

    /** Entra's descriptions end in trace and correlation IDs over several lines; the first line is the useful part. */
    private static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        int newline = text.indexOf('\n');
        String line = newline < 0 ? text : text.substring(0, newline);
        return line.strip();
    }
}
