package io.impersonationprobe.testing;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedSearchEntry;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedSearchRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryOperationInterceptor;
import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldif.LDIFReader;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An LDAP server on a random loopback port holding a directory shaped like Active Directory with Exchange's RBAC
 * (an LDIF fixture), for the on-premises control plane's tests. It behaves as a domain controller where it matters:
 * the RootDSE names the configuration and default naming contexts, and {@code tokenGroupsGlobalAndUniversal} is
 * returned on base-scope reads only (it is constructed). No schema is enforced, as the Exchange classes are not in
 * UnboundID's; binary values (objectSid, tokenGroups) then compare as strings, so the fixtures' SIDs use
 * sub-authority bytes that no string normalization merges.
 */
public final class TestDirectory implements AutoCloseable {
    public static final String DOMAIN = "DC=corp,DC=example,DC=com";
    public static final String CONFIGURATION = "CN=Configuration," + DOMAIN;
    public static final String BIND_DN = "CN=svc-rbac-reader,OU=Service Accounts," + DOMAIN;
    public static final String BIND_PASSWORD = "directory-test-password";

    private final InMemoryDirectoryServer server;
    /** Searches other than of the RootDSE, and pages among them. */
    public final AtomicInteger searches = new AtomicInteger();
    private volatile boolean tokenGroupsReadable = true;

    public TestDirectory(String ldifResource) throws Exception {
        InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig(DOMAIN);
        config.setSchema(null);
        config.addAdditionalBindCredentials(BIND_DN, BIND_PASSWORD);
        config.setListenerConfigs(InMemoryListenerConfig.createLDAPConfig("ldap", InetAddress.getLoopbackAddress(), 0,
                null));
        config.setCustomRootDSEAttributes(List.of(new Attribute("configurationNamingContext", CONFIGURATION),
                new Attribute("defaultNamingContext", DOMAIN)));
        config.addInMemoryOperationInterceptor(new InMemoryOperationInterceptor() {
            @Override
            public void processSearchRequest(InMemoryInterceptedSearchRequest request) {
                if (!request.getRequest().getBaseDN().isEmpty()) {
                    searches.incrementAndGet();
                }
            }

            @Override
            public void processSearchEntry(InMemoryInterceptedSearchEntry result) {
                SearchResultEntry entry = result.getSearchEntry();
                boolean base = result.getRequest().getScope() == SearchScope.BASE;
                if (entry.hasAttribute("tokenGroupsGlobalAndUniversal") && (!base || !tokenGroupsReadable)) {
                    Entry stripped = entry.duplicate();
                    stripped.removeAttribute("tokenGroupsGlobalAndUniversal");
                    result.setSearchEntry(stripped);
                }
            }
        });
        server = new InMemoryDirectoryServer(config);
        try (LDIFReader ldif = new LDIFReader(TestDirectory.class.getResourceAsStream(ldifResource))) {
            server.importFromLDIF(true, ldif);
        }
        server.startListening();
    }

    public int port() {
        return server.getListenPort();
    }

    public String url() {
        return "ldap://127.0.0.1:" + port();
    }

    /** As for a bind account outside the Windows Authorization Access group: the constructed attribute is withheld. */
    public void withholdTokenGroups() {
        tokenGroupsReadable = false;
    }

    public void add(String... ldifLines) throws Exception {
        server.add(ldifLines);
    }

    public void modify(String... ldifLines) throws Exception {
        server.modify(ldifLines);
    }

    public InMemoryDirectoryServer server() {
        return server;
    }

    @Override
    public void close() {
        server.shutDown(true);
    }
}
