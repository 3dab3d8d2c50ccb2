package io.impersonationprobe.control;

import java.time.Instant;
import java.util.List;

/**
 * What Test-ServicePrincipalAuthorization said about one mailbox: the scopes of the app's assignments that cover it
 * and those that do not ("Organization" for an unscoped assignment).
 */
public record AuthorizationCheck(List<String> coveringScopes, List<String> otherScopes, Instant checkedAt) {
    public boolean inScope() {
        return !coveringScopes.isEmpty();
    }
}
