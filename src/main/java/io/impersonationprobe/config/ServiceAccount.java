package io.impersonationprobe.config;

/**
 * An on-premises service account. {@code domain} is null for a {@code name@domain} (UPN) user name.
 * {@link #toString()} never shows the password.
 */
public record ServiceAccount(String user, String domain, Secret password) {

    /** Splits {@code DOMAIN\name} into domain and name; a UPN stays whole. */
    static ServiceAccount parse(String username, Secret password) {
        int backslash = username.indexOf('\\');
        if (backslash > 0) {
            return new ServiceAccount(username.substring(backslash + 1), username.substring(0, backslash), password);
        }
        return new ServiceAccount(username, null, password);
    }

    /** The name as the server sees it: DOMAIN\name or the UPN. */
    public String qualifiedName() {
        return domain == null ? user : domain + "\\" + user;
    }

    @Override
    public String toString() {
        return "ServiceAccount[" + qualifiedName() + "]";
    }
}
