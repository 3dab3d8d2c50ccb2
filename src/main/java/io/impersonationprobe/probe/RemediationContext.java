package io.impersonationprobe.probe;

/**
 * What the daemon knows beyond one probe (the organisation's state from the control plane), applied to a result's
 * fix: a refusal in a dehydrated org says to run Enable-OrganizationCustomization.
 */
public interface RemediationContext {
    ProbeResult annotate(ProbeResult result);
}
