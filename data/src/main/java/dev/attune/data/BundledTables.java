package dev.attune.data;

import dev.attune.AttuneException;

/**
 * Two small, real tables with sensitive attributes, bundled in the jar as CSV (see
 * {@code data/DATA.md} for source, licence, subset and split), each split into train and test:
 *
 * <pre>{@code
 * TabularData train = BundledTables.GERMAN_CREDIT.train();
 * TabularData test = BundledTables.GERMAN_CREDIT.test();        // encoded with train's transform
 * List<String> sex = test.groups("sex");                         // per example, not a feature
 * }</pre>
 *
 * <p>{@link #train()} and {@link #test()} use the schema given for each table below; to choose
 * another (a group column as a feature too, index encoding), declare it on {@link #trainTable()} and
 * read {@link #testTable()} with the transform it fits. Every call reads the resource again.
 *
 * <p>The files carry their own licences, not the project's: see {@link #licence()} and the
 * {@code LICENSE.txt} beside them.
 */
public enum BundledTables {
    /**
     * German credit (Statlog, Prof. Hans Hofmann), from Weka's {@code credit-g.arff}: 1,000 loan
     * applicants, class {@code good} (700) or {@code bad} (300); train 700, test 300, stratified.
     * Default schema: label {@code class} with classes {@code good} (0), {@code bad} (1); numeric
     * duration, credit_amount, installment_commitment, residence_since, existing_credits,
     * num_dependents; one-hot checking_status, credit_history, purpose, savings_status, employment,
     * other_parties, property_magnitude, other_payment_plans, housing, job, own_telephone; groups
     * {@code sex} ({@code female}, {@code male}: derived from personal_status), {@code age} (years,
     * as text) and {@code foreign_worker} ({@code yes}, {@code no}); personal_status ignored, as it
     * encodes sex.
     */
    GERMAN_CREDIT("german-credit",
            "GNU GPL version 2 or later, as the Debian package weka states for its files (Copyright (C) 1998-2008"
                    + " University of Waikato); notice in dev/attune/data/tables/german-credit/LICENSE.txt",
            "credit-g.arff from the Debian package weka 3.6.14-3, all 1,000 rows, with a sex column derived from"
                    + " personal_status, split 700/300 stratified by class (seed 42)") {
        @Override
        Tabular schema(Tabular t) {
            return t.label("class", "good", "bad")
                    .numeric("duration", "credit_amount", "installment_commitment", "residence_since",
                            "existing_credits", "num_dependents")
                    .categorical(Encoding.ONE_HOT, "checking_status", "credit_history", "purpose", "savings_status",
                            "employment", "other_parties", "property_magnitude", "other_payment_plans", "housing",
                            "job", "own_telephone")
                    .group("sex", "age", "foreign_worker")
                    .ignore("personal_status");
        }
    },

    /**
     * Telco customer churn (IBM Watson sample data, as the R package modeldata's {@code wa_churn}):
     * a seeded sample of 2,000 of its 7,032 complete rows, stratified by churn; train 1,500, test
     * 500. Default schema: label {@code churn} with classes {@code No} (0), {@code Yes} (1); numeric
     * partner, dependents, tenure, phone_service, paperless_billing, monthly_charges, total_charges
     * (the 0/1 columns standardised like the rest); one-hot multiple_lines, internet_service,
     * online_security, online_backup, device_protection, tech_support, streaming_tv, streaming_movies,
     * contract, payment_method; groups {@code female} (1 female, 0 male) and {@code senior_citizen}
     * (1 or 0).
     */
    TELCO_CHURN("telco-churn",
            "MIT License, Copyright 2019 Max Kuhn, RStudio, as the Debian package r-cran-modeldata states it; notice"
                    + " in dev/attune/data/tables/telco-churn/LICENSE.txt",
            "wa_churn from the Debian package r-cran-modeldata 1.1.0-1 (R package modeldata 1.1.0), 2,000 of the"
                    + " 7,032 complete rows stratified by churn (seed 42), split 1,500/500 stratified (seed 43)") {
        @Override
        Tabular schema(Tabular t) {
            return t.label("churn", "No", "Yes")
                    .numeric("partner", "dependents", "tenure", "phone_service", "paperless_billing",
                            "monthly_charges", "total_charges")
                    .categorical(Encoding.ONE_HOT, "multiple_lines", "internet_service", "online_security",
                            "online_backup", "device_protection", "tech_support", "streaming_tv", "streaming_movies",
                            "contract", "payment_method")
                    .group("female", "senior_citizen");
        }
    };

    private final String folder;
    private final String licence;
    private final String source;

    BundledTables(String folder, String licence, String source) {
        this.folder = folder;
        this.licence = licence;
        this.source = source;
    }

    /** Declares the default schema on a table of this data set. */
    abstract Tabular schema(Tabular t);

    /**
     * The training rows with the default schema; the transform is fitted on them.
     *
     * @throws AttuneException when the resource is missing or damaged (an incomplete jar)
     */
    public TabularData train() {
        return schema(trainTable()).read();
    }

    /**
     * The test rows with the default schema, encoded with the transform fitted on {@link #train()}.
     *
     * @throws AttuneException when the resource is missing or damaged (an incomplete jar)
     */
    public TabularData test() {
        return testTable().read(schema(trainTable()).fit());
    }

    /** The training file, with no schema declared yet. */
    public Tabular trainTable() {
        return Tabular.resource("tables/" + folder + "/train.csv", RecordReader.Format.CSV);
    }

    /** The test file, with no schema declared yet. */
    public Tabular testTable() {
        return Tabular.resource("tables/" + folder + "/test.csv", RecordReader.Format.CSV);
    }

    /** The licence of the bundled files and where its full notice is, for attribution. */
    public String licence() {
        return licence;
    }

    /** Where the bundled files came from (package and version) and which subset they are. */
    public String source() {
        return source;
    }
}
