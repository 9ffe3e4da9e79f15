package dev.attune.monitoring;

import static java.util.Objects.requireNonNull;

import java.util.Set;

/** The checks of the label values a caller gives: a model, a version, the declared adapters. */
final class LabelValues {
    /** The adapter label of a service that serves one model, without adapters. */
    static final String NO_ADAPTER = "none";
    /** The adapter label of a request whose adapter is not one of those declared. */
    static final String OTHER_ADAPTER = "other";
    /** More declared adapters than this would make one series per adapter and outcome too many to keep. */
    static final int MAX_ADAPTERS = 100;

    private LabelValues() {
    }

    static String value(String value, String what) {
        requireNonNull(value, what);
        if (value.isBlank()) {
            throw new IllegalArgumentException("the " + what + " label is blank; give the " + what + " its series are"
                    + " labelled with, such as " + ("model".equals(what) ? "\"credit-risk\"" : "\"3\""));
        }
        if (value.length() > 200 || value.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("the " + what + " label '" + value.replaceAll("\\p{Cntrl}", "?")
                    + "' is longer than 200 characters or holds a control character; give a short printable name");
        }
        return value;
    }

    static Set<String> adapters(Set<String> adapters) {
        requireNonNull(adapters, "adapters");
        if (adapters.isEmpty()) {
            throw new IllegalArgumentException("no adapter is declared; declare every adapter label the function may"
                    + " give (each becomes its own series), or bind without an adapter function");
        }
        if (adapters.size() > MAX_ADAPTERS) {
            throw new IllegalArgumentException(adapters.size() + " adapters are declared, more than " + MAX_ADAPTERS
                    + "; each adds a series per outcome: label by a coarser adapter family");
        }
        for (String a : adapters) {
            value(a, "adapter");
            if (a.equals(NO_ADAPTER) || a.equals(OTHER_ADAPTER)) {
                throw new IllegalArgumentException("the adapter label '" + a + "' is reserved (\"" + NO_ADAPTER
                        + "\" labels a service without adapters, \"" + OTHER_ADAPTER + "\" a request whose adapter is"
                        + " not declared); name the adapter otherwise");
            }
        }
        return Set.copyOf(adapters);
    }
}
