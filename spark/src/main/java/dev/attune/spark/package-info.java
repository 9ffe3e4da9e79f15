/**
 * Attune on Apache Spark: {@link dev.attune.spark.SparkFineTuner} runs a {@link dev.attune.FineTuner}'s
 * fine-tuning with each optimizer step's gradients computed by Spark's executors (synchronous data
 * parallelism), {@link dev.attune.spark.SparkData} turns Datasets and RDDs into labeled data.
 */
package dev.attune.spark;
