package io.impersonationprobe.config;

/** How the daemon proves who it is to a tenant. */
public enum AuthMethod {
    /** App-only OAuth (client credentials) with a client secret, through msal4j. */
    CLIENT_SECRET,
    /** App-only OAuth with a certificate (PKCS12, or PEM key and certificate): a signed client assertion. */
    CLIENT_CERTIFICATE,
    /** On-premises service account with NTLM (Windows integrated authentication). */
    NTLM,
    /** On-premises service account with Basic authentication (over TLS only). */
    BASIC;

    public boolean isOAuth() {
        return this == CLIENT_SECRET || this == CLIENT_CERTIFICATE;
    }
}
