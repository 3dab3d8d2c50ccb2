package io.impersonationprobe.config;

/** How the daemon proves who it is to a tenant. */
public enum AuthMethod {
    /** App-only OAuth (client credentials) with a client secret, through msal4j. */
    CLIENT_SECRET
}
