/**
 * Getting labelled data into Attune: readers of data files ({@link dev.attune.data.Idx} for the
 * IDX format of MNIST, {@link dev.attune.data.Tabular} for CSV and ARFF tables with a typed schema,
 * group columns and a fitted {@link dev.attune.data.TabularTransform}, {@link dev.attune.data.TextData}
 * for labelled texts and {@link dev.attune.data.WordPieceTokenizer} to turn them into token ids and
 * attention masks), the data sets bundled in the jar ({@link dev.attune.data.BundledData} for images,
 * {@link dev.attune.data.BundledTables} for tables, {@link dev.attune.data.BundledText} for texts),
 * and seeded splits ({@link dev.attune.data.Splits}: per class, per group, stratified
 * k-fold); these produce
 * {@link dev.attune.LabeledData} (for tables, inside a {@link dev.attune.data.TabularData}), a
 * {@link dev.attune.DataSource} or a DL4J {@code DataSetIterator}. Then, for that data: balancers
 * of the training data ({@link dev.attune.data.Balancing}), a bias audit of labels against groups
 * ({@link dev.attune.data.DataAudit}), checks for examples shared between two data sets
 * ({@link dev.attune.data.Leakage}) and a ranking of likely mislabelled examples from out-of-fold
 * predictions ({@link dev.attune.data.LabelQuality}).
 */
package dev.attune.data;
