package io.impersonationprobe.control.onprem;

import com.unboundid.asn1.ASN1OctetString;
import com.unboundid.ldap.sdk.DereferencePolicy;
import com.unboundid.ldap.sdk.ExtendedResult;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPSearchException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchResultListener;
import com.unboundid.ldap.sdk.SearchResultReference;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.SimpleBindRequest;
import com.unboundid.ldap.sdk.controls.SimplePagedResultsControl;
import com.unboundid.ldap.sdk.extensions.StartTLSExtendedRequest;
import com.unboundid.util.ssl.HostNameSSLSocketVerifier;
import io.impersonationprobe.config.DirectorySettings;
import io.impersonationprobe.control.ControlPlaneException;
import io.impersonationprobe.control.ControlPlaneException.Failure;

import javax.net.ssl.SSLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A connection to the domain controller that holds an on-premises tenant's RBAC: TLS from the start (ldaps://) or
 * after StartTLS, the server's certificate checked against the tenant's trust and its host name; bounded in time
 * (connect and response timeouts), size (message size, paged searches with an entry limit); referrals are never
 * followed, so the bind password is sent to the configured server only. Not thread-safe: one poll at a time.
 */
final class Directory implements AutoCloseable {
    /** One entry of Active Directory (a user with hundreds of groups, a role with its entries) fits in far less. */
    private static final int MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

    private final DirectorySettings settings;
    private final LDAPConnection connection;

    private Directory(DirectorySettings settings, LDAPConnection connection) {
        this.settings = settings;
        this.connection = connection;
    }

    /** Connects and binds; the failure names what failed (never the password). */
    static Directory open(DirectorySettings settings) throws ControlPlaneException {
        LDAPConnectionOptions options = new LDAPConnectionOptions();
        options.setConnectTimeoutMillis(Math.toIntExact(settings.connectTimeout().toMillis()));
        options.setResponseTimeoutMillis(settings.responseTimeout().toMillis());
        options.setFollowReferrals(false);
        options.setMaxMessageSize(MAX_MESSAGE_BYTES);
        options.setAutoReconnect(false);
        options.setUseSynchronousMode(true);
        // UnboundID's default verifier accepts any host name; the JDK checks it (HostCheckingSocketFactory), and
        // UnboundID's verifier as well.
        options.setSSLSocketVerifier(new HostNameSSLSocketVerifier(true));
        LDAPConnection connection = new LDAPConnection(options);
        try {
            if (settings.tls()) {
                connection.setSocketFactory(new HostCheckingSocketFactory(settings.sslContext()));
            }
            connection.connect(settings.host(), settings.port());
            if (settings.startTls()) {
                ExtendedResult started = connection.processExtendedOperation(
                        new StartTLSExtendedRequest(new HostCheckingSocketFactory(settings.sslContext())));
                if (started.getResultCode() != ResultCode.SUCCESS) {
                    throw new ControlPlaneException(Failure.TLS_FAILED, "the directory " + settings.url()
                            + " refused StartTLS (" + started.getResultCode() + ")");
                }
            }
            var bound = connection.bind(new SimpleBindRequest(settings.bindDn(), settings.bindPassword().reveal()));
            if (bound.getResultCode() != ResultCode.SUCCESS) {
                throw new ControlPlaneException(Failure.BIND_FAILED, "binding as " + settings.bindDn() + " failed ("
                        + bound.getResultCode() + ")");
            }
            return new Directory(settings, connection);
        } catch (LDAPException e) {
            connection.close();
            throw classify(settings, e, "connecting and binding as " + settings.bindDn());
        } catch (ControlPlaneException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    static ControlPlaneException classify(DirectorySettings settings, LDAPException e, String doing) {
        ResultCode code = e.getResultCode();
        String where = settings.url();
        Failure failure;
        String what;
        if (code == ResultCode.INVALID_CREDENTIALS || code == ResultCode.INAPPROPRIATE_AUTHENTICATION
                || code == ResultCode.STRONG_AUTH_REQUIRED || code == ResultCode.CONFIDENTIALITY_REQUIRED) {
            failure = Failure.BIND_FAILED;
            what = "the directory refused the bind (" + code.getName() + "): check bind-dn and the password";
        } else if (code == ResultCode.REFERRAL) {
            failure = Failure.REFERRAL;
            what = "the directory answered with a referral, which is never followed (the bind password would go "
                    + "elsewhere): point the url at a domain controller of the domain that holds these objects";
        } else if (code == ResultCode.SIZE_LIMIT_EXCEEDED) {
            failure = Failure.TOO_LARGE;
            what = "the directory's size limit was reached";
        } else if (code == ResultCode.INSUFFICIENT_ACCESS_RIGHTS) {
            failure = Failure.PERMISSION_MISSING;
            what = "the bind account may not read this (" + code.getName() + ")";
        } else if (code == ResultCode.NO_SUCH_OBJECT) {
            failure = Failure.NOT_FOUND;
            what = "no such object in the directory";
        } else if (code == ResultCode.TIMEOUT || code == ResultCode.TIME_LIMIT_EXCEEDED) {
            failure = Failure.TIMEOUT;
            what = "the directory did not answer in time";
        } else if (code == ResultCode.CONNECT_ERROR && hasCause(e, SSLException.class)) {
            failure = Failure.TLS_FAILED;
            what = "the TLS handshake failed (certificate not trusted or not for this host name)";
        } else if (code == ResultCode.CONNECT_ERROR || code == ResultCode.SERVER_DOWN
                || code == ResultCode.UNAVAILABLE || code == ResultCode.BUSY) {
            failure = hasCause(e, SSLException.class) ? Failure.TLS_FAILED : Failure.UNREACHABLE;
            what = failure == Failure.TLS_FAILED ? "the TLS handshake failed (certificate not trusted or not for this "
                    + "host name)" : "the directory cannot be reached (" + code.getName() + ")";
        } else if (code == ResultCode.DECODING_ERROR || code == ResultCode.PROTOCOL_ERROR) {
            failure = Failure.INVALID_RESPONSE;
            what = "the directory sent an answer that is not valid LDAP (or larger than " + MAX_MESSAGE_BYTES + " bytes)";
        } else {
            failure = Failure.SERVER_ERROR;
            what = "the directory answered " + code.getName();
        }
        // LDAPException messages carry the server's diagnostic text, never the bind request.
        return new ControlPlaneException(failure, where + ": " + doing + ": " + what);
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /** The entry at {@code dn}, or empty when there is none. */
    Optional<SearchResultEntry> read(String dn, String... attributes) throws ControlPlaneException {
        try {
            SearchRequest request = new SearchRequest(dn, SearchScope.BASE, Filter.createPresenceFilter("objectClass"),
                    attributes);
            bound(request);
            SearchResult result = connection.search(request);
            return result.getEntryCount() == 0 ? Optional.empty() : Optional.of(result.getSearchEntries().get(0));
        } catch (LDAPSearchException e) {
            if (e.getResultCode() == ResultCode.NO_SUCH_OBJECT) {
                return Optional.empty();
            }
            throw classify(settings, e, "reading " + dn);
        }
    }

    /**
     * Every entry under {@code base} that matches, page by page; more than the size limit fails as
     * {@link Failure#TOO_LARGE} without keeping them. Continuation references (Active Directory's application
     * partitions below a domain's root) are neither followed nor returned.
     */
    List<SearchResultEntry> search(String base, SearchScope scope, Filter filter, String... attributes)
            throws ControlPlaneException {
        List<SearchResultEntry> entries = new ArrayList<>();
        Bounded listener = new Bounded(entries, settings.sizeLimit());
        ASN1OctetString cookie = null;
        try {
            do {
                SearchRequest request = new SearchRequest(listener, base, scope, DereferencePolicy.NEVER, 0, 0, false,
                        filter, attributes);
                bound(request);
                request.addControl(new SimplePagedResultsControl(settings.pageSize(), cookie, false));
                SearchResult result = connection.search(request);
                if (listener.overflow) {
                    throw new ControlPlaneException(Failure.TOO_LARGE, settings.url() + ": searching " + base
                            + " returned more than " + settings.sizeLimit() + " entries (control-plane.ldap.size-limit)");
                }
                SimplePagedResultsControl paged = SimplePagedResultsControl.get(result);
                cookie = paged == null ? null : paged.getCookie();
            } while (cookie != null && cookie.getValueLength() > 0);
            return entries;
        } catch (LDAPSearchException e) {
            if (e.getResultCode() == ResultCode.NO_SUCH_OBJECT) {
                return entries;
            }
            throw classify(settings, e, "searching " + base);
        } catch (LDAPException e) {
            throw classify(settings, e, "searching " + base);
        }
    }

    private void bound(SearchRequest request) {
        request.setTimeLimitSeconds((int) Math.max(1, settings.responseTimeout().toSeconds()));
        request.setResponseTimeoutMillis(settings.responseTimeout().toMillis());
        request.setFollowReferrals(false);
    }

    /** Keeps entries up to the limit; the rest are counted, not kept. */
    private static final class Bounded implements SearchResultListener {
        private final List<SearchResultEntry> entries;
        private final int limit;
        boolean overflow;

        Bounded(List<SearchResultEntry> entries, int limit) {
            this.entries = entries;
            this.limit = limit;
        }

        @Override
        public void searchEntryReturned(SearchResultEntry entry) {
            if (entries.size() < limit) {
                entries.add(entry);
            } else {
                overflow = true;
            }
        }

        @Override
        public void searchReferenceReturned(SearchResultReference reference) {
            // Never followed: the bind password goes to the configured server only.
        }
    }

    @Override
    public void close() {
        connection.close();
    }
}
