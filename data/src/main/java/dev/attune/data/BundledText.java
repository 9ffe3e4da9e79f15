package dev.attune.data;

import dev.attune.AttuneException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Two labelled text data sets bundled in the jar as CSV (see {@code data/DATA.md} for source,
 * licence and counts), each split into train and test:
 *
 * <pre>{@code
 * TextData train = BundledText.SUPPORT_INTENTS.train();     // 12 intents, written for the project
 * TextData test = BundledText.SUPPORT_INTENTS.test();
 * LabeledData features = train.toLabeledData(tokenizer);    // ids and mask, [n, 2, L]
 * }</pre>
 *
 * <p>Every call reads the resource again and checks it (strict UTF-8, one field per column, a known,
 * non-empty label). The files carry their own licences: see {@link #licence()}.
 *
 * <p>A third set, the assistant intents, comes in five languages: {@link #assistantIntents(String)}.
 */
public enum BundledText {
    /**
     * Amazon fine food reviews (the R package modeldata's {@code small_fine_foods}): every row of its
     * {@code training_data} (4,000: great 2,600, other 1,400) and {@code testing_data} (1,000: great
     * 658, other 342). Classes {@code great} (0: the reviewer gave 5 stars) and {@code other} (1);
     * {@link TextData#groups()} holds each review's product id. The review texts are as the package
     * has them, HTML line breaks ({@code <br />}) included.
     */
    FOOD_REVIEWS("food-reviews", ".csv.gz", "product", List.of("great", "other"),
            "MIT License, Copyright 2019 Max Kuhn, RStudio, as the Debian package r-cran-modeldata states it; notice"
                    + " in dev/attune/data/text/food-reviews/LICENSE.txt",
            "small_fine_foods (training_data, testing_data) from the Debian package r-cran-modeldata 1.1.0-1"
                    + " (R package modeldata 1.1.0), all 4,000 + 1,000 rows in the package's order; reviews"
                    + " originally from https://snap.stanford.edu/data/web-FineFoods.html"),

    /**
     * Customer-support intents written for the project (not collected from customers): 12 intents,
     * 42 training and 12 test utterances each, the test utterances written separately from the
     * training ones. Classes, in index order: {@code order_status}, {@code refund},
     * {@code cancel_order}, {@code change_shipping_address}, {@code password_reset},
     * {@code billing_error}, {@code product_question}, {@code complaint}, {@code human_agent},
     * {@code greeting}, {@code goodbye}, {@code out_of_scope}.
     */
    SUPPORT_INTENTS("support-intents", ".csv", null, List.of("order_status", "refund", "cancel_order",
            "change_shipping_address", "password_reset", "billing_error", "product_question", "complaint",
            "human_agent", "greeting", "goodbye", "out_of_scope"),
            "Apache License 2.0, the project's licence (written for the project)",
            "written for Attune: 12 customer-support intents, train and test utterances written separately");

    private final String folder;
    private final String suffix;
    private final String groupColumn;
    private final List<String> classNames;
    private final String licence;
    private final String source;

    BundledText(String folder, String suffix, String groupColumn, List<String> classNames, String licence,
            String source) {
        this.folder = folder;
        this.suffix = suffix;
        this.groupColumn = groupColumn;
        this.classNames = classNames;
        this.licence = licence;
        this.source = source;
    }

    /**
     * The training texts.
     *
     * @throws AttuneException when the resource is missing or damaged (an incomplete jar)
     */
    public TextData train() {
        return read("train");
    }

    /**
     * The test texts.
     *
     * @throws AttuneException when the resource is missing or damaged (an incomplete jar)
     */
    public TextData test() {
        return read("test");
    }

    /** The class names in class-index order. */
    public List<String> classNames() {
        return classNames;
    }

    /** The licence of the bundled files and where its notice is, for attribution. */
    public String licence() {
        return licence;
    }

    /** Where the bundled files came from and which rows they hold. */
    public String source() {
        return source;
    }

    /**
     * The assistant intents of one language (see {@link AssistantIntents}): 16 intents in English,
     * German, Spanish, French and Italian.
     *
     * @param locale one of {@link AssistantIntents#LOCALES} ({@code "en-us"}, {@code "de-de"},
     *     {@code "es-es"}, {@code "fr-fr"}, {@code "it-it"}) or its language alone ({@code "de"}), in any
     *     case, with {@code -} or {@code _}
     * @throws IllegalArgumentException for a blank locale or one that is not bundled; the message names
     *     it and the bundled locales
     */
    public static AssistantIntents assistantIntents(String locale) {
        return AssistantIntents.of(locale);
    }

    /**
     * The assistant intents of a {@link Locale}: its language, with its country if it has one
     * ({@code Locale.GERMAN} and {@code Locale.GERMANY} both give {@code "de-de"}).
     *
     * @throws IllegalArgumentException for a locale that is not bundled (such as {@code Locale.CHINA} or
     *     {@code Locale.CANADA_FRENCH}); the message names it and the bundled locales
     */
    public static AssistantIntents assistantIntents(Locale locale) {
        Objects.requireNonNull(locale, "locale");
        String tag = locale.getCountry().isEmpty() ? locale.getLanguage()
                : locale.getLanguage() + "-" + locale.getCountry();
        return AssistantIntents.of(tag.isEmpty() ? locale.toLanguageTag() : tag);
    }

    private TextData read(String split) {
        String resource = "text/" + folder + "/" + split + suffix;
        return TextData.read(RecordReader.resource(resource, "TextData.csv"), RecordReader.resourceName(resource),
                "text", "label", groupColumn, classNames);
    }
}
