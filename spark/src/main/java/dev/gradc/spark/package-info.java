/**
 * Compiled value and gradient over partitioned data on Apache Spark. A {@link
 * dev.gradc.spark.BlockKernel} is a {@code .grad} loss compiled ahead of time into class files that
 * travel to the executors; {@link dev.gradc.spark.SparkLoss} evaluates it over a dataset's blocks
 * of rows and combines the partition partials in a fixed order ({@link dev.gradc.spark.TreeSum}),
 * so a fit gives the same bits as {@link dev.gradc.spark.LocalLoss} over the same blocks in one
 * JVM. The optimizers of {@code dev.gradc.optim} minimize either.
 */
package dev.gradc.spark;
