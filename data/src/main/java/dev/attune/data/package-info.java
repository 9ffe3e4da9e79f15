/**
 * Getting labelled data into Attune: readers of data files ({@link dev.attune.data.Idx} for the
 * IDX format of MNIST), the data sets bundled in the jar ({@link dev.attune.data.BundledData}), and
 * seeded per-class splits ({@link dev.attune.data.Splits}). Everything here produces
 * {@link dev.attune.LabeledData} or a {@link dev.attune.DataSource}.
 */
package dev.attune.data;
