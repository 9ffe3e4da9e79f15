package dev.attune.monitoring;

import java.nio.file.Path;

/**
 * The Prometheus programs the tests run. CI installs them ({@code .ci/run}), so a missing one fails the
 * test that needs it, saying how to install it, rather than skipping it.
 */
final class Installed {
    private Installed() {
    }

    static Path require(String program) {
        return AlertRules.findOnPath(program).orElseThrow(() -> new AssertionError(program + " is not installed (not"
                + " on the PATH " + System.getenv("PATH") + "); these tests run Prometheus's own programs: install them"
                + " with apt-get install -y --no-install-recommends prometheus (as .ci/run does)"));
    }
}
