package io.impersonationprobe.auth;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What an Entra ID {@code AADSTS} error from the token endpoint means, and what to do about it. */
public final class AadstsAdvice {
    private static final Pattern CODE = Pattern.compile("AADSTS(\\d+)");

    private static final String SCOPE_ADVICE = "The scope is invalid. auth.scope must be "
            + "https://outlook.office365.com/.default (on-premises with hybrid modern authentication: https://<EWS host>/.default).";

    private static final Map<Integer, String> ADVICE = Map.ofEntries(
            Map.entry(7000215, "The client secret is wrong. Use the secret's Value (not its Secret ID) from App "
                    + "registrations > Certificates & secrets, and check that nobody rotated it."),
            Map.entry(7000222, "The client secret has expired. Create a new secret and update the secret file or "
                    + "environment variable."),
            Map.entry(700016, "No application with this client ID exists in the directory. Check auth.client-id and "
                    + "auth.directory; the app may be registered in another tenant or deleted."),
            Map.entry(90002, "The directory was not found. Check auth.directory: it must be the tenant ID or a verified "
                    + "domain of the tenant."),
            Map.entry(700027, "The client assertion's signature did not verify: the certificate is not registered on "
                    + "the app registration, or a different private key signed it. Upload the public certificate under "
                    + "App registrations > Certificates & secrets."),
            Map.entry(700024, "The client assertion is outside its valid time range: check the daemon host's clock."),
            Map.entry(7000112, "The application is disabled in the tenant. Enable it under Enterprise applications > "
                    + "Properties."),
            Map.entry(500011, "The resource (Office 365 Exchange Online) has no service principal in this tenant: check "
                    + "auth.scope and that the tenant has Exchange Online."),
            Map.entry(65001, "Admin consent is missing for the requested permission. Grant admin consent, or use RBAC "
                    + "for Applications without an Entra permission."),
            Map.entry(1002012, SCOPE_ADVICE),
            Map.entry(70011, SCOPE_ADVICE),
            Map.entry(53003, "A Conditional Access policy for workload identities blocked the token request: allow the "
                    + "daemon's outbound address or exclude the app."));

    private AadstsAdvice() {
    }

    /** The AADSTS code in an error description, or 0. */
    public static int code(String message) {
        Matcher m = message == null ? null : CODE.matcher(message);
        return m != null && m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    /** Specific advice for the error in this message, or null when the code is not one this daemon knows. */
    public static String forMessage(String message) {
        return ADVICE.get(code(message));
    }
}
