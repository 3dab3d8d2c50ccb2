package io.impersonationprobe.simulator;

/** An on-premises service account, authenticated with NTLM or Basic; {@code name} is its sAMAccountName. */
public record ServiceAccount(String domain, String name, String password) {
}
